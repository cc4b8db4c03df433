"""Binary arithmetic: values against NumPy, TensorFlow's dtype rules, errors, gradients."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import gpukeras as tf
from tests.helpers import GradCase, check_gradient

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape)


def pos(*shape):
    return rng.uniform(0.5, 2.0, shape)


GRAD_CASES = [
    GradCase("add", tf.add, (r(3, 4), r(4)), id="broadcast"),
    GradCase("add", lambda x: x + 2.0, (r(2, 3),), id="scalar"),
    GradCase("subtract", tf.subtract, (r(2, 1, 3), r(4, 1)), id="broadcast-both"),
    GradCase("multiply", tf.multiply, (r(3, 4), r(3, 1))),
    GradCase("divide", tf.divide, (r(3, 4), pos(4))),
    GradCase("floormod", tf.math.floormod, (pos(5) * 3, pos(5))),
    GradCase("pow", tf.pow, (pos(3, 2), r(2))),
    GradCase("pow", lambda x: x ** 3, (r(4),), id="int-exponent"),
    GradCase("maximum", tf.maximum, (r(3, 4), r(4))),
    GradCase("minimum", tf.minimum, (r(3, 4), r(3, 1))),
    GradCase("squared_difference", tf.math.squared_difference, (r(3), r(2, 3))),
    GradCase("divide_no_nan", tf.math.divide_no_nan, (r(4), pos(4))),
    GradCase("divide_no_nan", tf.math.divide_no_nan, (r(3, 4), -pos(4)), id="broadcast"),
    GradCase("add_n", lambda a, b, c: tf.add_n([a, b, c]), (r(2, 2), r(2, 2), r(2, 2))),
    # Through float32 and back: a large step keeps float32 rounding out of the difference
    # quotient, and central differences are exact for this quadratic.
    GradCase("cast", lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64) ** 2, (r(3),),
             rtol=1e-5, atol=1e-5, eps=1e-2),
    GradCase("sum_to_shape", lambda x: tf.ops.arithmetic.sum_to_shape(x, (1, 3)), (r(4, 3),)),
]


@pytest.mark.parametrize("case", GRAD_CASES, ids=repr)
def test_gradient(case):
    check_gradient(case)


@pytest.mark.parametrize("fn, ref", [
    (tf.add, np.add), (tf.subtract, np.subtract), (tf.multiply, np.multiply),
    (tf.divide, np.divide), (tf.maximum, np.maximum), (tf.minimum, np.minimum),
])
def test_values_match_numpy_with_broadcasting(fn, ref):
    a = r(2, 1, 4).astype(np.float32)
    b = (r(3, 1) + 3).astype(np.float32)
    out = fn(tf.constant(a), tf.constant(b))
    assert out.dtype == tf.float32 and out.shape == (2, 3, 4)
    np.testing.assert_allclose(out.numpy(), ref(a, b), rtol=1e-6)


def test_floor_division_and_modulo_follow_python_signs():
    a = tf.constant([7, -7, 7, -7])
    b = tf.constant([2, 2, -2, -2])
    np.testing.assert_array_equal((a // b).numpy(), [3, -4, -4, 3])
    np.testing.assert_array_equal((a % b).numpy(), [1, 1, -1, -1])
    np.testing.assert_allclose((tf.constant([7.5]) // 2.0).numpy(), [3.0])
    with tf.device("cpu"), pytest.raises(tf.errors.InvalidArgumentError,
                                         match="division by zero"):
        tf.constant([1]) // tf.constant([0])   # checked on the CPU (a GPU does not read back)


def test_integer_true_division_gives_float64_like_tensorflow():
    out = tf.range(5) / 2
    assert out.dtype == tf.float64
    np.testing.assert_allclose(out.numpy(), np.arange(5) / 2)
    assert (tf.constant([1, 2], tf.int16) / tf.constant([2, 2], tf.int16)).dtype == tf.float32


def test_python_scalars_take_the_tensor_dtype():
    x = tf.constant([1.0, 2.0])
    assert (x * 2).dtype == tf.float32
    assert (2.5 * x).dtype == tf.float32
    assert (np.float64(2.0) * x).dtype == tf.float32
    assert (tf.constant([1, 2]) + 3).dtype == tf.int32
    h = tf.constant([1.0], tf.float16)
    assert (h * 3.0).dtype == tf.float16


def test_mixed_tensor_dtypes_are_an_error_not_a_promotion():
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32.*float64"):
        tf.constant([1.0]) + tf.constant(np.array([1.0]))
    with pytest.raises(ValueError, match="int32"):  # InvalidArgumentError is a ValueError
        tf.constant([1.0]) * tf.constant([1])
    with pytest.raises(TypeError, match="cannot combine the float 2.5"):
        tf.constant([1, 2]) + 2.5
    with pytest.raises(TypeError):
        tf.constant([1.0]) + "a"


def test_incompatible_shapes_name_the_op_and_both_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"add: incompatible shapes \(2, 3\) and \(4,\)"):
        tf.add(tf.zeros([2, 3]), tf.zeros([4]))


def test_divide_no_nan_gives_zero_where_the_divisor_is_zero():
    np.testing.assert_array_equal(
        tf.math.divide_no_nan(tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0])).numpy(), [0.0, 0.5])
    np.testing.assert_array_equal(tf.math.divide_no_nan(tf.constant([3.0]), 0.0).numpy(), [0.0])
    np.testing.assert_array_equal(tf.math.divide_no_nan(tf.constant([3.0]), 2.0).numpy(), [1.5])


def test_divide_no_nan_is_tensorflows_div_no_nan_with_its_gradient():
    """Zero wherever y is 0, also for an infinite or NaN x; gradients zero there too (TF)."""
    x = tf.constant([np.inf, np.nan, 3.0, -2.0])
    y = tf.constant([0.0, 0.0, 0.0, 4.0])
    w = tf.constant([1.0, 2.0, 3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        out = tf.math.divide_no_nan(x, y)
        total = tf.reduce_sum(out * w)
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0, -0.5])
    gx, gy = tape.gradient(total, [x, y])
    np.testing.assert_array_equal(gx.numpy(), [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(gy.numpy(), [0.0, 0.0, 0.0, -4.0 * -2.0 / 16.0])
    ints = tf.math.divide_no_nan(tf.constant([1, 2]), tf.constant([0, 4]))
    assert ints.dtype == tf.float64   # true division, as tf.divide does for int32
    np.testing.assert_array_equal(ints.numpy(), [0.0, 0.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="divide_no_nan"):
        tf.math.divide_no_nan(tf.ones(3), tf.ones(2))


def test_cast_to_the_same_dtype_is_the_input_itself():
    x = tf.constant([1.5, 2.5])
    assert tf.cast(x, tf.float32) is x and tf.cast(x, "float32") is x
    v = tf.Variable([1.0, 2.0])
    assert tf.cast(v, tf.float32) is v.value()


def test_numpy_arrays_on_either_side_use_our_operators():
    x = tf.constant([1.0, 2.0])
    out = np.array([1.0, 1.0], dtype=np.float32) + x
    assert isinstance(out, tf.Tensor)
    np.testing.assert_array_equal(out.numpy(), [2.0, 3.0])


def test_cast_truncates_and_wraps_like_tensorflow():
    np.testing.assert_array_equal(tf.cast(tf.constant([-1.7, 1.7]), tf.int32).numpy(), [-1, 1])
    np.testing.assert_array_equal(tf.cast(tf.constant([0.0, 2.0]), tf.bool).numpy(), [False, True])
    np.testing.assert_array_equal(tf.cast(tf.constant([True, False]), tf.float32).numpy(), [1.0, 0.0])
    assert tf.cast(tf.constant(300), tf.uint8).numpy() == 44


def test_maximum_and_minimum_gradients_give_ties_to_x_like_tensorflow():
    x = tf.constant([1.0, 2.0, 5.0])
    y = tf.constant([1.0, 3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        hi = tf.maximum(x, y)
        lo = tf.minimum(x, y)
    gx, gy = tape.gradient(hi, [x, y])
    np.testing.assert_array_equal(gx.numpy(), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(gy.numpy(), [0.0, 1.0, 0.0])
    gx, gy = tape.gradient(lo, [x, y])
    np.testing.assert_array_equal(gx.numpy(), [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(gy.numpy(), [0.0, 0.0, 1.0])


def test_division_by_zero_returns_inf_and_nan_quietly_like_tensorflow():
    out = tf.constant([1.0, -1.0, 0.0]) / tf.constant([0.0, 0.0, 0.0])
    assert np.isposinf(out.numpy()[0]) and np.isneginf(out.numpy()[1]) and np.isnan(out.numpy()[2])


def test_second_derivative_through_division():
    x = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = 1.0 / x
        dy = inner.gradient(y, x)
    assert float(dy) == -0.25
    assert float(outer.gradient(dy, x)) == 0.25  # 2 / x^3


shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4)


@settings(max_examples=60, deadline=None)
@given(shapes=shapes, data=st.data(),
       op=st.sampled_from(["add", "subtract", "multiply", "maximum", "minimum"]))
def test_broadcasting_arithmetic_agrees_with_numpy(shapes, data, op):
    a = data.draw(hnp.arrays(np.float32, shapes.input_shapes[0],
                             elements=st.floats(-100, 100, width=32)))
    b = data.draw(hnp.arrays(np.float32, shapes.input_shapes[1],
                             elements=st.floats(-100, 100, width=32)))
    out = getattr(tf, op)(tf.constant(a), tf.constant(b))
    expected = getattr(np, op)(a, b)
    assert out.shape == expected.shape and out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), expected)
