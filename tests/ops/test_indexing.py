"""Indexing ops: tensor[key], gather, gather_nd, scatter_nd, tensor_scatter_nd_*, boolean_mask."""

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.errors import InvalidArgumentError
from tests.helpers import GradCase, check_gradient

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape)


# -- tensor[key] ---------------------------------------------------------------------------------
def test_seed_indexing_and_slicing():
    host = rng.standard_normal((4, 32, 32, 3)).astype(np.float32)
    x = tf.constant(host)
    assert x[0].shape == (32, 32, 3)
    assert x[0][1].shape == (32, 3)
    assert x[0][1][2].shape == (3,)
    assert x[0, 1, 2, 1].shape == ()
    assert float(x[0][1][2][1]) == float(x[0, 1, 2, 1]) == host[0, 1, 2, 1]
    assert x[0, ::].shape == (32, 32, 3)
    sl = x[:, 0:28:2, 0:28:2, :]
    assert sl.shape == (4, 14, 14, 3) and sl.dtype == tf.float32
    np.testing.assert_array_equal(sl.numpy(), host[:, 0:28:2, 0:28:2, :])


A = np.arange(60).reshape(3, 4, 5)
KEYS = [
    1, -1, (2, 3), (-1, -2, -3), slice(None, None, -1), (slice(None), slice(1, None, 2)),
    (Ellipsis, 2), (Ellipsis, slice(None, None, -2)), (None, 1), (1, None, Ellipsis, None),
    (slice(-2, None), Ellipsis, slice(4, 0, -2)), (slice(10, 20),), [2, 0, 0], (1, [3, 0]),
    ([0, 2], slice(None), [4, 1]), (slice(None), [[0, 1], [3, 3]]), np.array([True, False, True]),
    (1, np.array([True, False, True, True])), A[..., 0] % 2 == 0, (Ellipsis, [1, -1]),
    (slice(None), None, [0, 0, 2]),
]


@pytest.mark.parametrize("key", KEYS, ids=lambda k: " ".join(repr(k).split())[:48])
def test_getitem_matches_numpy(key):
    np.testing.assert_array_equal(tf.constant(A)[key].numpy(), A[key])


def test_getitem_with_tensor_indices():
    x = tf.constant(A)
    np.testing.assert_array_equal(x[tf.constant(2)].numpy(), A[2])
    np.testing.assert_array_equal(x[tf.constant([0, 2])].numpy(), A[[0, 2]])
    np.testing.assert_array_equal(x[:, tf.constant(1):tf.constant(3)].numpy(), A[:, 1:3])
    mask = tf.constant(A > 30)
    np.testing.assert_array_equal(x[mask].numpy(), A[A > 30])
    np.testing.assert_array_equal(x[tf.newaxis, ..., 0].numpy(), A[None, ..., 0])
    v = tf.Variable(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(v[1, 1:].numpy(), [4.0, 5.0])


def test_getitem_errors():
    x = tf.constant(A)
    with pytest.raises(IndexError, match="index 3 .*dimension 0 with size 3"):
        x[3]
    with pytest.raises(InvalidArgumentError, match="index -6 .*dimension 2 with size 5"):
        x[0, 0, -6]
    with pytest.raises(IndexError, match="index 7 .*dimension 1 with size 4"):
        x[:, [0, 7]]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0, 0]
    with pytest.raises(IndexError):
        x[np.array([True, False])]
    with pytest.raises(TypeError):
        x[1.5]
    with pytest.raises(TypeError):
        x[tf.constant([0.0])]
    with pytest.raises(IndexError):
        tf.constant(3.0)[0]


def test_iterating_a_tensor_uses_getitem():
    rows = list(tf.constant(np.arange(6).reshape(3, 2)))
    assert len(rows) == 3
    np.testing.assert_array_equal(rows[2].numpy(), [4, 5])


# -- gather ----------------------------------------------------------------------------------
def test_seed_gather_gather_nd_boolean_mask():
    host = rng.integers(0, 100, (4, 35, 8)).astype(np.int32)
    x = tf.constant(host)
    g = tf.gather(x, [0, 1], axis=0)
    assert g.shape == (2, 35, 8) and g.dtype == tf.int32
    np.testing.assert_array_equal(g.numpy(), host[[0, 1]])
    g = tf.gather_nd(x, [[1, 1], [2, 2], [3, 3]])
    assert g.shape == (3, 8)
    np.testing.assert_array_equal(g.numpy(), host[[1, 2, 3], [1, 2, 3]])
    m = tf.boolean_mask(x, mask=[True, False, False, False], axis=0)
    assert m.shape == (1, 35, 8)
    np.testing.assert_array_equal(m.numpy(), host[:1])


def _ref_gather(p, idx, axis, batch_dims):
    if batch_dims == 0:
        return np.take(p, idx, axis=axis)
    return np.stack([_ref_gather(p[i], idx[i], axis - 1, batch_dims - 1)
                     for i in range(p.shape[0])])


@pytest.mark.parametrize("axis,batch_dims,pshape,ishape", [
    (0, 0, (5, 3), (4,)), (1, 0, (2, 5, 3), (2, 2)), (-1, 0, (2, 3, 5), (3,)),
    (1, 1, (2, 5, 3), (2, 4)), (2, 1, (2, 3, 5, 2), (2, 3)), (None, 1, (3, 5, 2), (3, 2, 2)),
    (3, 2, (2, 3, 2, 5), (2, 3, 4)), (2, -1, (2, 3, 5), (2, 3, 2)),
])
def test_gather_matches_reference(axis, batch_dims, pshape, ishape):
    p = rng.standard_normal(pshape).astype(np.float32)
    a = (batch_dims % len(ishape) if axis is None else axis % len(pshape))
    idx = rng.integers(0, pshape[a], ishape)
    out = tf.gather(p, tf.constant(idx), axis=axis, batch_dims=batch_dims)
    b = batch_dims % len(ishape)
    np.testing.assert_array_equal(out.numpy(), _ref_gather(p, idx, a, b))
    assert out.dtype == tf.float32


def test_gather_documented_examples():
    params = tf.constant([[0, 1.0, 2.0], [10.0, 11.0, 12.0], [20.0, 21.0, 22.0],
                          [30.0, 31.0, 32.0]])
    np.testing.assert_array_equal(tf.gather(params, [3, 1]).numpy(), [[30, 31, 32], [10, 11, 12]])
    np.testing.assert_array_equal(tf.gather(params, [2, 0], axis=1).numpy(),
                                  [[2, 0], [12, 10], [22, 20], [32, 30]])
    np.testing.assert_array_equal(tf.gather(params, 1).numpy(), [10, 11, 12])
    np.testing.assert_array_equal(
        tf.gather(params, [[2, 0], [1, 1]], axis=1, batch_dims=0).shape, (4, 2, 2))
    batched = tf.gather(tf.constant([[1, 2, 3], [4, 5, 6]]), [[2, 0], [1, 1]], batch_dims=1)
    np.testing.assert_array_equal(batched.numpy(), [[3, 1], [5, 5]])


@pytest.mark.gpu
def test_gpu_gather_with_out_of_range_device_indices_gives_zeros_like_tensorflow():
    """Index tensors on a GPU are not read back (a sync): out-of-range rows gather zeros."""
    with tf.device("gpu"):
        x = tf.constant(np.arange(12.0).reshape(4, 3))
        out = tf.gather(x, tf.constant([[0, -1, 2]]), axis=1)
    np.testing.assert_array_equal(out.numpy()[:, 0, :],
                                  [[0, 0, 2], [3, 0, 5], [6, 0, 8], [9, 0, 11]])


def test_gather_errors():
    x = tf.constant(np.arange(12.0).reshape(4, 3))
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 4 is not in \[0, 4\)"):
        tf.gather(x, [0, 4])
    with tf.device("cpu"):   # index tensors on the CPU are checked
        with pytest.raises(InvalidArgumentError,
                           match=r"indices\[0,1\] = -1 is not in \[0, 3\)"):
            tf.gather(tf.constant(x.numpy()), tf.constant([[0, -1]]), axis=1)
    with pytest.raises(TypeError):
        tf.gather(x, tf.constant([0.0]))
    with pytest.raises(InvalidArgumentError, match="batch_dims"):
        tf.gather(x, [[0], [1], [2]], batch_dims=1)


# -- gather_nd -----------------------------------------------------------------------------------
def test_gather_nd_documented_examples():
    np.testing.assert_array_equal(
        tf.gather_nd(indices=[[0, 0], [1, 1]], params=[["a", "b"], ["c", "d"]]).numpy(),
        [b"a", b"d"])
    np.testing.assert_array_equal(
        tf.gather_nd(indices=[[1], [0]], params=[["a", "b"], ["c", "d"]]).numpy(),
        [[b"c", b"d"], [b"a", b"b"]])
    params = np.arange(8).reshape(2, 2, 2)
    np.testing.assert_array_equal(tf.gather_nd(params, [[0, 1], [1, 0]]).numpy(),
                                  params[[0, 1], [1, 0]])
    np.testing.assert_array_equal(tf.gather_nd(params, [[[0, 1, 1]], [[1, 0, 1]]]).numpy(),
                                  [[3], [5]])
    np.testing.assert_array_equal(
        tf.gather_nd(indices=[[1], [0]], params=params, batch_dims=1).numpy(), [[2, 3], [4, 5]])
    np.testing.assert_array_equal(
        tf.gather_nd(indices=[[[1]], [[0]]], params=params, batch_dims=1).numpy(),
        [[[2, 3]], [[4, 5]]])


def test_gather_nd_errors():
    x = tf.zeros([4, 35, 8], dtype=tf.int32)
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = \[5, 1\].*\[4, 35\]"):
        tf.gather_nd(x, [[1, 1], [5, 1]])
    with pytest.raises(InvalidArgumentError):
        tf.gather_nd(x, [[1, 1, 1, 1]])


# -- scatter -------------------------------------------------------------------------------------
def test_seed_scatter_nd():
    out = tf.scatter_nd(tf.constant([[4], [3], [1], [7]]), tf.constant([4.4, 3.3, 1.1, 7.7]), [8])
    assert out.dtype == tf.float32 and out.shape == (8,)
    np.testing.assert_array_equal(
        out.numpy(), np.array([0, 1.1, 0, 3.3, 4.4, 0, 0, 7.7], dtype=np.float32))


def test_scatter_nd_slices_and_duplicates():
    indices = tf.constant([[0], [2]])
    updates = tf.constant([[[5, 5, 5, 5], [6, 6, 6, 6], [7, 7, 7, 7], [8, 8, 8, 8]],
                           [[5, 5, 5, 5], [6, 6, 6, 6], [7, 7, 7, 7], [8, 8, 8, 8]]])
    out = tf.scatter_nd(indices, updates, tf.constant([4, 4, 4]))
    expected = np.zeros((4, 4, 4), np.int32)
    expected[[0, 2]] = updates.numpy()
    np.testing.assert_array_equal(out.numpy(), expected)
    dup = tf.scatter_nd([[1, 0], [1, 0], [0, 2]], [1.0, 2.0, 5.0], [2, 3])
    np.testing.assert_array_equal(dup.numpy(), [[0, 0, 5], [3, 0, 0]])
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = \[8\].*\[8\]"):
        tf.scatter_nd([[8]], [1.0], [8])
    with pytest.raises(InvalidArgumentError, match="updates must have shape"):
        tf.scatter_nd([[1], [2]], [1.0, 2.0, 3.0], [8])


def test_tensor_scatter_nd_update_and_add():
    tensor = tf.constant([0, 0, 0, 0, 0, 0, 0, 0])
    out = tf.tensor_scatter_nd_update(tensor, [[1], [3], [4], [7]], [9, 10, 11, 12])
    np.testing.assert_array_equal(out.numpy(), [0, 9, 0, 10, 11, 0, 0, 12])
    np.testing.assert_array_equal(tensor.numpy(), np.zeros(8))  # the input is unchanged
    tensor = tf.constant([1, 2, 3, 4, 5, 6, 7, 8])
    out = tf.tensor_scatter_nd_add(tensor, [[4], [3], [1], [7]], [9, 10, 11, 12])
    np.testing.assert_array_equal(out.numpy(), [1, 13, 3, 14, 14, 6, 7, 20])
    t2 = tf.constant(np.zeros((3, 2), np.float32))
    out = tf.tensor_scatter_nd_update(t2, [[2], [0]], [[1, 2], [3, 4]])
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[3, 4], [0, 0], [1, 2]])
    with pytest.raises(InvalidArgumentError, match="dtype"):
        tf.tensor_scatter_nd_update(t2, [[0]], tf.constant([[1, 2]]))


# -- boolean_mask --------------------------------------------------------------------------------
def test_boolean_mask():
    t = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(tf.boolean_mask([0, 1, 2, 3], [True, False, True, False]).numpy(),
                                  [0, 2])
    np.testing.assert_array_equal(tf.boolean_mask(t, [True, False, True]).numpy(), t[[0, 2]])
    m2 = t % 3 == 0
    np.testing.assert_array_equal(tf.boolean_mask(t, tf.constant(m2)).numpy(), t[m2])
    np.testing.assert_array_equal(
        tf.boolean_mask(t, [False, True, True, False], axis=1).numpy(), t[:, 1:3])
    x = np.arange(24).reshape(2, 3, 4)
    mask = x[0] > 5
    np.testing.assert_array_equal(tf.boolean_mask(x, mask, axis=1).numpy(), x[:, mask])
    with pytest.raises(InvalidArgumentError, match=r"\(2,\).*\(3, 4\)"):
        tf.boolean_mask(t, [True, False])
    with pytest.raises(TypeError):
        tf.boolean_mask(t, tf.constant([1, 0, 1]))


# -- higher order --------------------------------------------------------------------------------
def test_second_order_through_gather():
    x = tf.constant([0.5, -1.5, 2.0, 1.0], dtype=tf.float64)
    idx = [2, 0, 2, 3, 2]
    counts = np.bincount(idx, minlength=4)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.gather(x, idx) ** 3)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    np.testing.assert_allclose(g.numpy(), 3 * counts * x.numpy() ** 2)
    np.testing.assert_allclose(h.numpy(), 6 * counts * x.numpy())


def test_second_order_through_getitem_and_scatter():
    x = tf.constant(r(3, 4))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            picked = x[::-1, [1, 1, 3]]
            y = tf.reduce_sum(tf.scatter_nd([[0], [0], [2]], picked, [4, 3]) ** 2)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    xv = x.numpy()
    # rows 2 and 1 of x (reversed order: rows 2, 1, 0) both land in output row 0; row 0 in row 2
    s = xv[2, [1, 1, 3]] + xv[1, [1, 1, 3]]
    expect = np.zeros_like(xv)
    for row, val in ((2, s), (1, s), (0, xv[0, [1, 1, 3]])):
        np.add.at(expect[row], [1, 1, 3], 2 * val)
    np.testing.assert_allclose(g.numpy(), expect)
    # sum(g) = sum_j 4 (x[2, c_j] + x[1, c_j]) + 2 x[0, c_j] with c = [1, 1, 3]
    count = np.array([0.0, 2.0, 0.0, 1.0])
    np.testing.assert_allclose(h.numpy(), np.stack([2 * count, 4 * count, 4 * count]))


# -- gradients ----------------------------------------------------------------------------------
MASK = np.array([[True, False, True], [False, False, True]])
GRAD_CASES = [
    GradCase(op="getitem", fn=lambda x: x[1, ::2], args=(r(3, 4),)),
    GradCase(op="getitem", id="negative-step", fn=lambda x: x[::-2, None, 1:],
             args=(r(5, 3),)),
    GradCase(op="getitem", id="ellipsis", fn=lambda x: x[..., -1], args=(r(2, 3, 2),)),
    GradCase(op="getitem", id="int-array", fn=lambda x: x[:, [2, 0, 2, 2]], args=(r(3, 3),)),
    GradCase(op="getitem", id="mixed-arrays", fn=lambda x: x[[0, 1, 1], :, [2, 0, 0]],
             args=(r(2, 3, 3),)),
    GradCase(op="getitem", id="bool-mask", fn=lambda x: x[tf.constant(MASK)], args=(r(2, 3),)),
    GradCase(op="gather", fn=lambda x: tf.gather(x, [[2, 0], [2, 2]], axis=1),
             args=(r(2, 3, 2),)),
    GradCase(op="gather", id="batch-dims",
             fn=lambda x: tf.gather(x, [[1, 1, 0], [2, 0, 0]], axis=2, batch_dims=1),
             args=(r(2, 2, 3),)),
    GradCase(op="gather_nd", fn=lambda x: tf.gather_nd(x, [[1, 0], [1, 0], [0, 2]]),
             args=(r(2, 3, 2),)),
    GradCase(op="gather_nd", id="batch-dims",
             fn=lambda x: tf.gather_nd(x, [[[1], [0]], [[2], [2]]], batch_dims=1),
             args=(r(2, 3, 2),)),
    GradCase(op="scatter_nd", fn=lambda u: tf.scatter_nd([[1, 0], [1, 0], [0, 2]], u, [2, 3, 2]),
             args=(r(3, 2),)),
    GradCase(op="tensor_scatter_nd_update",
             fn=lambda t, u: tf.tensor_scatter_nd_update(t, [[2], [0]], u),
             args=(r(3, 2), r(2, 2))),
    GradCase(op="tensor_scatter_nd_add",
             fn=lambda t, u: tf.tensor_scatter_nd_add(t, [[1, 1], [0, 2], [1, 1]], u),
             args=(r(2, 3), r(3))),
    GradCase(op="boolean_mask", fn=lambda x: tf.boolean_mask(x, MASK, axis=1),
             args=(r(2, 2, 3, 2),)),
]


@pytest.mark.parametrize("case", GRAD_CASES, ids=repr)
def test_gradient(case):
    check_gradient(case)
