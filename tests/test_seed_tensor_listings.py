"""Every tensor listing of the TensorFlow-basics note (shared/seeds/004), run after the import
change, with the values the note prints. Listings that need Keras layers, losses or datasets
belong to the Keras issues and are tested there.
"""

import numpy as np
import pytest

import gpukeras as tf


def test_data_types():
    a2 = tf.constant(2)
    b1 = tf.constant([1, 2., 3.3])
    b2 = b1.numpy()
    c1 = tf.constant([[1, 2], [3, 4]])
    d1 = tf.constant([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    assert a2.dtype == tf.int32 and b1.dtype == tf.float32 and isinstance(b2, np.ndarray)
    assert c1.shape == (2, 2) and d1.shape == (2, 2, 2)
    s2 = tf.strings.lower(tf.constant("Hello Tensorflow!"))
    assert s2.numpy() == b"hello tensorflow!"
    assert bool(tf.constant(True)) is True and bool(tf.constant(False)) is False


def test_creation():
    a, b = tf.convert_to_tensor([1, 2.]), tf.convert_to_tensor([[1, 2], [3, 4]])
    assert a.dtype == tf.float32 and b.dtype == tf.int32
    assert tf.zeros([]).shape == () and float(tf.ones([])) == 1.0
    assert tf.zeros([2, 2, 2]).shape == (2, 2, 2) and tf.ones([3, 2, 2]).shape == (3, 2, 2)
    np.testing.assert_array_equal(tf.fill([2, 3], -2).numpy(), np.full((2, 3), -2))
    assert tf.fill([2], -1).dtype == tf.int32
    assert tf.random.normal([2, 3]).shape == (2, 3)
    np.testing.assert_array_equal(tf.range(10, delta=2).numpy(), [0, 2, 4, 6, 8])
    np.testing.assert_array_equal(tf.range(2, 10, delta=3).numpy(), [2, 5, 8])


def test_variable():
    v1 = tf.constant([-1, 0, 1, 2])
    v2 = tf.Variable(v1)
    assert (v2.name, v2.trainable) == ("Variable:0", True)


def test_vector_matrix_and_4d_applications():
    z = tf.random.normal([4, 2]) + tf.zeros([2])
    assert z.shape == (4, 2)
    out = tf.random.normal([2, 4]) @ tf.random.normal([4, 3]) + tf.zeros([3])
    assert out.shape == (2, 3)
    assert tf.random.normal([4, 32, 32, 3]).shape == (4, 32, 32, 3)


def test_precision():
    with pytest.raises(TypeError):
        tf.constant(123456789, tf.int16)
    assert int(tf.constant(123456789, tf.int32)) == 123456789
    assert tf.cast(tf.constant(np.pi, tf.float16), tf.float32).dtype == tf.float32


def test_arithmetic():
    a = tf.range(5)
    b = tf.constant(2)
    np.testing.assert_array_equal((a // b).numpy(), [0, 0, 1, 1, 2])
    np.testing.assert_array_equal((a % b).numpy(), [0, 1, 0, 1, 0])
    x = tf.range(4)
    np.testing.assert_array_equal((x ** 2).numpy(), [0, 1, 4, 9])
    np.testing.assert_array_equal(tf.pow(x, 2).numpy(), [0, 1, 4, 9])
    np.testing.assert_allclose(float(tf.exp(1.)), np.e, rtol=1e-6)
    a = tf.random.normal([4, 3, 28, 32])
    b = tf.random.normal([4, 3, 32, 2])
    np.testing.assert_allclose((a @ b).numpy(), a.numpy() @ b.numpy(), rtol=1e-4, atol=1e-4)
    a, b = tf.random.normal([4, 3]), tf.random.normal([4, 3])
    np.testing.assert_allclose((a * b).numpy(), a.numpy() * b.numpy())


def test_indexing_and_slicing():
    x = tf.random.normal([4, 32, 32, 3])
    host = x.numpy()
    assert x[0].shape == (32, 32, 3) and x[0][1].shape == (32, 3) and x[0][1][2].shape == (3,)
    assert float(x[0][1][2][1]) == float(x[0, 1, 2, 1]) == host[0, 1, 2, 1]
    assert x[0, ::].shape == (32, 32, 3)
    np.testing.assert_array_equal(x[:, 0:28:2, 0:28:2, :].numpy(), host[:, 0:28:2, 0:28:2, :])


def test_dimension_changes():
    x = tf.reshape(tf.range(96), [2, 4, 4, 3])
    np.testing.assert_array_equal(x.numpy(), np.arange(96).reshape(2, 4, 4, 3))
    x = tf.random.uniform([28, 28])
    assert x.shape == (28, 28)
    x = tf.expand_dims(x, axis=2)
    assert x.shape == (28, 28, 1)
    with pytest.raises(ValueError):
        tf.squeeze(x, axis=0)  # the note's line: dimension 0 has size 28, not 1
    x = tf.squeeze(x, axis=2)
    assert x.shape == [28, 28]
    x = tf.transpose(tf.random.normal([2, 32, 32, 3]), [0, 3, 1, 2])
    assert x.shape == (2, 3, 32, 32)
    b = tf.tile(tf.expand_dims(tf.constant([1, 2]), axis=0), multiples=[2, 1])
    np.testing.assert_array_equal(b.numpy(), [[1, 2], [1, 2]])


def test_broadcasting():
    x, w, b = tf.random.normal([2, 4]), tf.random.normal([4, 3]), tf.random.normal([3])
    y = x @ w + b
    np.testing.assert_allclose(y.numpy(), x.numpy() @ w.numpy() + b.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(tf.broadcast_to(b, [2, 3]).numpy(), np.broadcast_to(b.numpy(), (2, 3)))


def test_merge_and_split():
    assert tf.concat([tf.random.normal([4, 35, 8]), tf.random.normal([6, 35, 8])], axis=0).shape == (10, 35, 8)
    assert tf.stack([tf.random.normal([35, 8]), tf.random.normal([35, 8])], axis=0).shape == (2, 35, 8)
    res = tf.split(tf.random.normal([10, 35, 8]), 10)
    assert len(res) == 10 and res[0].shape == (1, 35, 8)


def test_statistics():
    x = tf.ones([2, 2])
    assert [float(tf.norm(x, ord=o)) for o in (1, 2, np.inf)] == [4.0, 2.0, 1.0]
    x = tf.random.normal([4, 10])
    host = x.numpy()
    np.testing.assert_allclose(tf.reduce_max(x, axis=0).numpy(), host.max(0))
    np.testing.assert_allclose(tf.reduce_min(x, axis=1).numpy(), host.min(1))
    np.testing.assert_allclose(tf.reduce_mean(x, axis=0).numpy(), host.mean(0), rtol=1e-5)
    np.testing.assert_allclose(tf.reduce_sum(x, axis=1).numpy(), host.sum(1), rtol=1e-5)
    out = tf.nn.softmax(tf.random.normal([2, 10]), axis=1)
    assert tf.argmax(out, axis=0).shape == (10,) and tf.argmin(out, axis=1).shape == (2,)
    assert tf.argmax(out, axis=0).dtype == tf.int64


def test_comparison_accuracy_count():
    out = tf.nn.softmax(tf.random.normal([100, 10]), axis=1)
    pred = tf.argmax(out, axis=1)
    y = tf.random.uniform([100], dtype=tf.int64, maxval=10)
    correct = tf.reduce_sum(tf.cast(tf.equal(pred, y), dtype=tf.float32))
    assert float(correct) == float(np.sum(pred.numpy() == y.numpy()))


def test_padding_and_tiling():
    b = tf.pad(tf.constant([7, 8, 1, 6]), [[0, 2]])
    np.testing.assert_array_equal(b.numpy(), [7, 8, 1, 6, 0, 0])
    assert tf.pad(tf.random.normal([4, 28, 28, 3]), [[0, 0], [2, 2], [2, 2], [0, 0]]).shape == (4, 32, 32, 3)
    assert tf.tile(tf.random.normal([4, 28, 28, 3]), [2, 3, 3, 1]).shape == (8, 84, 84, 3)


def test_clipping_and_relu():
    x = tf.range(10)
    np.testing.assert_array_equal(tf.maximum(x, 2).numpy(), [2, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    np.testing.assert_array_equal(tf.minimum(x, 7).numpy(), [0, 1, 2, 3, 4, 5, 6, 7, 7, 7])
    np.testing.assert_array_equal(tf.maximum(tf.minimum(x, 7), 2).numpy(), [2, 2, 2, 3, 4, 5, 6, 7, 7, 7])

    def relu(x):
        return tf.maximum(x, 0.)
    np.testing.assert_array_equal(relu(tf.constant([-1.0, 2.0])).numpy(), [0.0, 2.0])


def test_advanced_indexing():
    x = tf.random.uniform([4, 35, 8], maxval=100, dtype=tf.int32)
    host = x.numpy()
    np.testing.assert_array_equal(tf.gather(x, [0, 1], axis=0).numpy(), host[[0, 1]])
    np.testing.assert_array_equal(tf.gather_nd(x, [[1, 1], [2, 2], [3, 3]]).numpy(),
                                  host[[1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(
        tf.boolean_mask(x, mask=[True, False, False, False], axis=0).numpy(), host[:1])
    a, b = tf.ones([3, 3]), tf.zeros([3, 3])
    cond = tf.constant([[True, False, False], [False, True, False], [True, True, False]])
    np.testing.assert_array_equal(tf.where(cond, a, b).numpy(),
                                  [[1, 0, 0], [0, 1, 0], [1, 1, 0]])
    indices = tf.constant([[4], [3], [1], [7]])
    updates = tf.constant([4.4, 3.3, 1.1, 7.7])
    np.testing.assert_allclose(tf.scatter_nd(indices, updates, [8]).numpy(),
                               [0, 1.1, 0, 3.3, 4.4, 0, 0, 7.7], rtol=1e-6)


def test_meshgrid_surface():
    x = tf.linspace(-8, 8, 100)
    y = tf.linspace(-8, 8, 100)
    x, y = tf.meshgrid(x, y)
    z = tf.sqrt(x ** 2 + y ** 2)
    z = tf.sin(z) / z
    gx, gy = np.meshgrid(np.linspace(-8, 8, 100), np.linspace(-8, 8, 100))
    r = np.sqrt(gx ** 2 + gy ** 2)
    np.testing.assert_allclose(z.numpy(), np.sin(r) / r, rtol=1e-6)
    assert x.numpy().shape == (100, 100)


def test_dense_layer_by_hand():
    x = tf.random.normal([2, 784])
    w1 = tf.Variable(tf.random.truncated_normal([784, 256], stddev=0.1))
    b1 = tf.Variable(tf.zeros([256]))
    o1 = tf.nn.relu(tf.matmul(x, w1) + b1)
    assert o1.shape == (2, 256) and float(tf.reduce_min(o1)) >= 0


def test_chain_rule():
    x, w1, b1, w2, b2 = (tf.constant(v) for v in (1., 2., 1., 2., 1.))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w1, b1, w2, b2])
        y1 = x * w1 + b1
        y2 = y1 * w2 + b2
    dy2_dy1 = tape.gradient(y2, [y1])[0]
    dy1_dw1 = tape.gradient(y1, [w1])[0]
    dy2_dw1 = tape.gradient(y2, [w1])[0]
    assert float(dy2_dy1 * dy1_dw1) == 2.0 and float(dy2_dw1) == 2.0


def test_four_layer_network_by_hand():
    x = tf.random.normal([4, 28 * 28])
    w1 = tf.Variable(tf.random.truncated_normal([784, 256]), name='w1')
    b1 = tf.Variable(tf.zeros([256]), name='b1')
    w2 = tf.Variable(tf.random.truncated_normal([256, 128]), name='w2')
    b2 = tf.Variable(tf.zeros([128]), name='b2')
    w3 = tf.Variable(tf.random.truncated_normal([128, 64]), name='w3')
    b3 = tf.Variable(tf.zeros([64]), name='b3')
    w4 = tf.Variable(tf.random.truncated_normal([64, 10]), name='w3')
    b4 = tf.Variable(tf.zeros([10]), name='b3')
    with tf.GradientTape() as tape:
        h1 = x @ w1 + tf.broadcast_to(b1, [x.shape[0], 256])
        h1 = tf.nn.relu(h1)
        h2 = tf.nn.relu(h1 @ w2 + b2)
        h3 = tf.nn.relu(h2 @ w3 + b3)
        h4 = h3 @ w4 + b4
        loss = tf.reduce_mean(h4)
    grads = tape.gradient(loss, [w1, b1, w2, b2, w3, b3, w4, b4])
    assert [tuple(g.shape) for g in grads] == [
        (784, 256), (256,), (256, 128), (128,), (128, 64), (64,), (64, 10), (10,)]


def test_activation_listings():
    x = tf.linspace(-6.0, 6.0, 100)
    assert x.dtype == tf.float32
    host = x.numpy()
    np.testing.assert_allclose(tf.nn.sigmoid(x).numpy(), 1 / (1 + np.exp(-host)), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.relu(x).numpy(), np.maximum(host, 0))
    np.testing.assert_allclose(tf.nn.leaky_relu(x, alpha=0.1).numpy(),
                               np.where(host >= 0, host, 0.1 * host), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.tanh(x).numpy(), np.tanh(host), rtol=1e-6, atol=1e-7)


def test_softmax_listing():
    x = tf.constant([2., 1., 0.1])
    np.testing.assert_allclose(tf.nn.softmax(x).numpy(), [0.6590012, 0.242433, 0.0985659], rtol=1e-5)
