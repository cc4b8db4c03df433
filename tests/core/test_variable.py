"""tf.Variable: naming, assignment, use in ops and gradients."""

import numpy as np
import pytest

import gpukeras as tf


def test_seed_variable_listing():
    v1 = tf.constant([-1, 0, 1, 2])
    v2 = tf.Variable(v1)
    assert v2.name == "Variable:0" and v2.trainable
    assert v2.dtype == tf.int32 and v2.shape == (4,)
    assert repr(v2) == ("<tf.Variable 'Variable:0' shape=(4,) dtype=int32, "
                        "numpy=array([-1,  0,  1,  2], dtype=int32)>")
    assert tf.Variable(1.0, name="w1").name == "w1:0"


def test_assign_family_updates_value_and_checks_shape():
    v = tf.Variable([1.0, 2.0])
    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(v.numpy(), [3.0, 4.0])
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    np.testing.assert_array_equal(v.numpy(), [3.5, 4.5])
    with pytest.raises(ValueError, match=r"shape \(3,\) to variable Variable:0 of shape \(2,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_variable_is_usable_wherever_a_tensor_is():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal((v + 1).numpy(), [[2, 3], [4, 5]])
    np.testing.assert_array_equal((v @ v).numpy(), np.array([[7, 10], [15, 22]]))
    np.testing.assert_array_equal(v[0].numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(tf.reduce_sum(v).numpy(), 10.0)
    assert isinstance(v.value(), tf.Tensor)
    np.testing.assert_array_equal(np.asarray(v), [[1, 2], [3, 4]])


def test_trainable_variables_are_watched_automatically():
    w = tf.Variable(3.0)
    frozen = tf.Variable(5.0, trainable=False)
    with tf.GradientTape() as tape:
        y = w * w * frozen
    dw, df = tape.gradient(y, [w, frozen])
    assert float(dw) == 30.0 and df is None
    assert tape.watched_variables() == (w,)


def test_saved_values_are_a_snapshot_of_the_read():
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = w * w
    w.assign(100.0)  # must not change the gradient of what was computed before
    assert float(tape.gradient(y, w)) == 4.0


def test_variable_dtype_argument_casts_initial_value():
    v = tf.Variable([1, 2], dtype=tf.float32)
    assert v.dtype == tf.float32
    v.assign([5, 6])
    assert v.dtype == tf.float32


def test_in_place_updates_never_write_into_a_users_array():
    """A variable made from a view (a batch of a user's array) copies before its first fused
    update, so the user's array keeps its values."""
    from gpukeras import keras
    with tf.device("cpu"):
        base = np.ones((4, 3), np.float32)
        v = tf.Variable(base[1:3])
        keras.optimizers.SGD(0.5).apply([tf.ones((2, 3))], [v])
        np.testing.assert_array_equal(v.numpy(), np.full((2, 3), 0.5))
    np.testing.assert_array_equal(base, np.ones((4, 3)))
