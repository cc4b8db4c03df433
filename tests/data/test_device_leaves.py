"""Host arrays copied whole to the current device once (what fit does on a GPU)."""

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.data import host_arrays


def _devices():
    yield "cpu"
    if "cupy" in tf.backends.available():
        yield "gpu"


@pytest.mark.parametrize("device", list(_devices()))
def test_device_leaf_casts_once_and_slices_rows(device):
    x = np.arange(12, dtype=np.float64).reshape(6, 2)
    with tf.device(device):
        leaf = host_arrays.device_leaf(x, cast_floats_to="float32")
        assert leaf.dtype == tf.float32 and leaf.num_rows == 6
        rows = leaf.take(range(2, 4))
        picked = leaf.take(np.array([5, 0]))
    assert device.upper() in rows.device
    np.testing.assert_array_equal(rows.numpy(), x[2:4].astype(np.float32))
    np.testing.assert_array_equal(picked.numpy(), x[[5, 0]].astype(np.float32))
    x[2, 0] = -1.0                      # the device copy does not alias the user's array
    np.testing.assert_array_equal(leaf.take(range(2, 3)).numpy(), [[4.0, 5.0]])


def test_strings_stay_host_leaves_and_sizes_are_counted():
    words = np.array(["a", "bb", "c"])
    leaf = host_arrays.device_leaf(words)
    assert leaf.dtype == tf.string
    assert host_arrays.host_nbytes(np.zeros((4, 3), np.float32)) == 48
    assert host_arrays.host_nbytes(tf.zeros((4, 3))) == 0
    assert host_arrays.host_nbytes(None) == 0
