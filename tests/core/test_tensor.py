"""Tensor, TensorShape, conversion rules and printing, checked against TensorFlow's behaviour."""

import numpy as np
import pytest

import gpukeras as tf


def test_seed_scalar_sum_prints_like_tensorflow():
    a = tf.constant(2.0)
    b = tf.constant(4.0)
    assert str(a + b) == "tf.Tensor(6.0, shape=(), dtype=float32)"
    assert repr(a + b) == "<tf.Tensor: shape=(), dtype=float32, numpy=6.0>"


def test_matrix_printing_matches_tensorflow_layout():
    c = tf.constant([[1, 2], [3, 4]])
    assert str(c) == "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"
    assert repr(c) == ("<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\n"
                       "array([[1, 2],\n       [3, 4]], dtype=int32)>")
    assert repr(tf.constant([1.5])) == ("<tf.Tensor: shape=(1,), dtype=float32, "
                                        "numpy=array([1.5], dtype=float32)>")


@pytest.mark.parametrize("value, dtype", [
    (1, "int32"), (2.0, "float32"), ([1, 2., 3.3], "float32"), ([[1, 2], [3, 4]], "int32"),
    (True, "bool"), ("Hello", "string"), (2 ** 40, "int64"),
    (np.float64(1.5), "float64"), (np.array([1, 2], dtype=np.int64), "int64"),
    (np.array([1.0], dtype=np.float64), "float64"), (np.array([1.0], dtype=np.float16), "float16"),
])
def test_python_and_numpy_values_get_tensorflow_dtypes(value, dtype):
    assert tf.constant(value).dtype == dtype
    assert tf.convert_to_tensor(value).dtype.name == dtype


def test_explicit_dtype_that_cannot_hold_the_value_raises_like_tensorflow():
    with pytest.raises(TypeError, match="Cannot convert 123456789 to EagerTensor of dtype int16"):
        tf.constant(123456789, tf.int16)
    assert int(tf.constant(123456789, tf.int32)) == 123456789
    with pytest.raises(TypeError):
        tf.constant(2.5, tf.int32)
    # cast, by contrast, wraps like C
    assert int(tf.cast(tf.constant(123456789), tf.int16)) == np.int32(123456789).astype(np.int16)


def test_seed_precision_listing():
    d3 = tf.constant(np.pi, tf.float32)
    d4 = tf.constant(np.pi, tf.float64)
    assert d3.dtype == tf.float32 and d4.dtype == tf.float64
    assert d4.numpy() == np.pi and d3.numpy() == np.float32(np.pi)
    d5 = tf.cast(tf.constant(np.pi, tf.float16), tf.float32)
    assert d5.dtype == tf.float32 and d5.numpy() == np.float32(np.float16(np.pi))


def test_string_tensors():
    s = tf.constant("Hello Tensorflow!")
    assert s.dtype == tf.string
    assert s.numpy() == b"Hello Tensorflow!"
    assert repr(s) == "<tf.Tensor: shape=(), dtype=string, numpy=b'Hello Tensorflow!'>"
    assert tf.constant(["a", "b"]).shape == (2,)


def test_tensor_shape_behaves_like_tensorflow():
    x = tf.zeros([28, 28, 1])
    assert x.shape == (28, 28, 1)
    assert x.shape == [28, 28, 1]
    assert x.shape.as_list() == [28, 28, 1]
    assert repr(x.shape) == "TensorShape([28, 28, 1])"
    assert x.shape[0] == 28 and isinstance(x.shape[0], int)
    assert x.shape[1:] == (28, 1) and isinstance(x.shape[1:], tf.TensorShape)
    assert x.shape.rank == 3 and x.ndim == 3
    assert x.shape.num_elements() == 784
    assert tf.TensorShape([None, 3]).is_compatible_with((5, 3))
    assert not tf.TensorShape([None, 3]).is_fully_defined()
    assert type(x.shape) is tf.TensorShape and all(type(d) is int for d in x.shape)
    assert tf.constant(1.0).shape == () and type(tf.constant(1.0).shape) is tf.TensorShape


def test_converting_a_variable_gives_its_current_value():
    v = tf.Variable([1.0, 2.0])
    assert tf.convert_to_tensor(v) is v.value()
    v.assign([3.0, 4.0])
    np.testing.assert_array_equal(tf.convert_to_tensor(v).numpy(), [3.0, 4.0])
    with pytest.raises(ValueError, match="float64"):
        tf.convert_to_tensor(v, dtype=tf.float64)


def test_numpy_returns_a_host_copy_and_scalars_as_numpy_scalars():
    t = tf.constant([1.0, 2.0])
    host = t.numpy()
    host[0] = 100.0
    assert t.numpy()[0] == 1.0
    assert isinstance(tf.constant(3.0).numpy(), np.float32)
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0])


def test_python_protocols():
    t = tf.constant([[1, 2], [3, 4]])
    assert len(t) == 2
    rows = list(t)
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(7)) == 7
    assert bool(tf.constant(True)) and not bool(tf.constant(0.0))
    assert [10, 20, 30][tf.constant(1)] == 20
    with pytest.raises(ValueError, match="ambiguous"):
        bool(t)
    with pytest.raises(TypeError):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="unhashable"):
        hash(t)
    assert {t.ref(): 1}[t.ref()] == 1


def test_device_of_cpu_tensor_uses_tensorflow_name():
    with tf.device("/CPU:0"):
        t = tf.constant([1.0])
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert t.backend.name == "numpy"


def test_tensor_conversion_with_a_different_dtype_raises():
    t = tf.constant([1.0])
    with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
        tf.convert_to_tensor(t, dtype=tf.int32)
    assert tf.convert_to_tensor(t) is t


def test_ragged_lists_are_rejected_with_a_clear_error():
    with pytest.raises(ValueError, match="cannot convert"):
        tf.constant([[1, 2], [3]])


def test_dtype_objects_compare_like_tensorflow():
    assert tf.float32 == "float32" and tf.float32 == np.float32 and tf.float32 != tf.float64
    assert tf.as_dtype("float64") is tf.float64 and tf.as_dtype(np.int64) is tf.int64
    assert tf.int8.min == -128 and tf.uint8.max == 255
    assert tf.float32.is_floating and tf.int32.is_integer and tf.bool.is_bool
    assert repr(tf.float32) == "tf.float32"
    with pytest.raises(TypeError, match="unknown dtype"):
        tf.as_dtype("float33")


def test_format_specs_work_like_numpy_scalars():
    assert f"{tf.constant(2.345):0.2f}" == "2.35"
    assert f"{tf.constant(7)}" == "7"


def test_elements_of_string_tensors_are_string_tensors():
    s = tf.constant(["ab", "c"])
    assert s[0].numpy() == b"ab" and s[0].dtype == tf.string
    assert repr(s[1]) == "<tf.Tensor: shape=(), dtype=string, numpy=b'c'>"
