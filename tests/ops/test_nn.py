"""tf.nn ops: values against NumPy formulas and TensorFlow's documented examples, stability on
huge inputs, errors, and first- and second-order gradients by finite differences."""

import math

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.errors import InvalidArgumentError
from gpukeras.ops import cross_entropy as ce_ops
from gpukeras.ops import nn as nn_ops
from tests.helpers import GradCase, check_gradient

SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


FORMULAS = {
    "relu": (tf.nn.relu, lambda x: np.maximum(x, 0)),
    "relu6": (tf.nn.relu6, lambda x: np.clip(x, 0, 6)),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    "elu": (tf.nn.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    "selu": (tf.nn.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * (np.exp(x) - 1))),
    "gelu": (tf.nn.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    "gelu_tanh": (lambda x: tf.nn.gelu(x, approximate=True),
                  lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    "silu": (tf.nn.silu, lambda x: x * _sig(x)),
    "swish": (lambda x: tf.nn.swish(x, beta=2.0), lambda x: x * _sig(2 * x)),
    "softplus": (tf.nn.softplus, lambda x: np.log1p(np.exp(x))),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x))),
    "hard_sigmoid": (nn_ops.hard_sigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    "sigmoid": (lambda x: nn_ops.activation(x, "sigmoid"), _sig),
    "tanh": (lambda x: nn_ops.activation(x, "tanh"), np.tanh),
    "linear": (lambda x: nn_ops.activation(x, "linear"), lambda x: x),
}


def away_from_kinks(shape, seed=0, scale=4.0):
    """Random float64 values that keep 1e-2 away from 0, ±3 and 6 (kinks of relu-like ops)."""
    x = np.random.default_rng(seed).uniform(-scale, scale, shape)
    for kink in (0.0, 3.0, -3.0, 6.0):
        x = np.where(np.abs(x - kink) < 1e-2, x + 0.05, x)
    return x


# -- values ---------------------------------------------------------------------------------------
def test_softmax_seed_value():
    got = tf.nn.softmax(tf.constant([2.0, 1.0, 0.1]))
    assert got.dtype == tf.float32
    np.testing.assert_allclose(got.numpy(), [0.6590012, 0.242433, 0.0985659], rtol=2e-6)


def test_leaky_relu_seed_value():
    x = tf.constant([-3.0, -1.0, 0.0, 2.0])
    np.testing.assert_allclose(tf.nn.leaky_relu(x, alpha=0.1).numpy(), [-0.3, -0.1, 0.0, 2.0],
                               rtol=1e-6)
    np.testing.assert_allclose(tf.nn.leaky_relu(x).numpy(), [-0.6, -0.2, 0.0, 2.0], rtol=1e-6)
    ints = tf.nn.leaky_relu(tf.constant([-2, 3]))
    assert ints.dtype == tf.float32  # TensorFlow casts integer features to float32
    np.testing.assert_allclose(ints.numpy(), [-0.4, 3.0], rtol=1e-6)


def test_relu_sigmoid_tanh_on_linspace():
    x = tf.linspace(-6.0, 6.0, 100)
    xs = np.linspace(-6.0, 6.0, 100).astype(np.float32)
    np.testing.assert_array_equal(tf.nn.relu(x).numpy(), np.maximum(xs, 0))
    np.testing.assert_allclose(nn_ops.activation(x, "sigmoid").numpy(), _sig(xs.astype(np.float64)),
                               rtol=1e-6)
    np.testing.assert_allclose(nn_ops.activation(x, "tanh").numpy(), np.tanh(xs), rtol=1e-6)
    try:  # tf.nn.sigmoid / tanh live in ops/elementwise.py
        np.testing.assert_allclose(tf.nn.sigmoid(x).numpy(), _sig(xs.astype(np.float64)), rtol=1e-6)
        np.testing.assert_allclose(tf.nn.tanh(x).numpy(), np.tanh(xs), rtol=1e-6)
    except NotImplementedError:
        pytest.skip("ops/elementwise.py sigmoid/tanh are not written yet")


@pytest.mark.parametrize("name", sorted(FORMULAS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_matches_formula(name, dtype):
    op, formula = FORMULAS[name]
    x = away_from_kinks((3, 7), seed=1, scale=7.0)
    got = op(tf.constant(x.astype(dtype)))
    assert got.dtype == tf.as_dtype(dtype.__name__) and got.shape == (3, 7)
    tol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got.numpy(), formula(x.astype(dtype).astype(np.float64)), rtol=tol,
                               atol=tol)


def test_gelu_documented_values():
    x = tf.constant([-3.0, -1.0, 0.0, 1.0, 3.0])
    exact = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in (-3.0, -1.0, 0.0, 1.0, 3.0)]
    np.testing.assert_allclose(tf.nn.gelu(x).numpy(), exact, rtol=1e-6)
    # TensorFlow's documented -0.00404951 carries float32 cancellation in 1 + erf(x / sqrt 2);
    # the exact value is -0.0040496961, which we compute (hence atol 3e-7 at that point).
    np.testing.assert_allclose(tf.nn.gelu(x).numpy(), [-0.00404951, -0.15865529, 0.0, 0.8413447,
                                                       2.9959507], rtol=1e-6, atol=3e-7)
    np.testing.assert_allclose(tf.nn.gelu(x, approximate=True).numpy(),
                               [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627], rtol=1e-5,
                               atol=1e-7)


def test_relu_and_relu6_accept_integers():
    x = tf.constant([-4, 0, 3, 8])
    assert tf.nn.relu(x).dtype == tf.int32
    np.testing.assert_array_equal(tf.nn.relu(x).numpy(), [0, 0, 3, 8])
    np.testing.assert_array_equal(tf.nn.relu6(x).numpy(), [0, 0, 3, 6])


def test_activations_reject_integers_and_strings():
    with pytest.raises(TypeError, match="elu"):
        tf.nn.elu(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="softmax"):
        tf.nn.softmax(tf.constant(["a", "b"]))
    with pytest.raises(ValueError, match="unknown activation"):
        nn_ops.activation(tf.constant([1.0]), "swoosh")


def test_silu_is_swish_and_beta_may_be_a_tensor():
    assert tf.nn.swish is tf.nn.silu
    x = np.array([-2.0, 0.5, 3.0])
    beta = tf.constant(1.5, dtype=tf.float64)
    np.testing.assert_allclose(tf.nn.silu(tf.constant(x), beta=beta).numpy(), x * _sig(1.5 * x))


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_huge_inputs_give_finite_values_and_gradients(name):
    op, _ = FORMULAS[name]
    x = tf.constant([-1000.0, -100.0, -1.0, 0.5, 100.0, 1000.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = op(x)
    g = tape.gradient(y, x)
    assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(g.numpy()))


def test_softmax_family_is_stable_on_huge_logits():
    x = tf.constant([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    np.testing.assert_allclose(tf.nn.softmax(x).numpy(), [[1, 0, 0], [1 / 3] * 3], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.log_softmax(x).numpy()[0], [0, -1000, -2000], rtol=1e-6)
    loss = tf.nn.softmax_cross_entropy_with_logits(tf.constant([[0.0, 0.0, 1.0]] * 2), x)
    np.testing.assert_allclose(loss.numpy(), [2000.0, math.log(3)], rtol=1e-6)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([2, 0]), x)
    np.testing.assert_allclose(sparse.numpy(), [2000.0, math.log(3)], rtol=1e-6)
    sig = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([1.0, 0.0, 1.0, 0.0]),
                                                  logits=tf.constant([-1000.0, 1000.0, 1000.0,
                                                                      -1000.0]))
    np.testing.assert_allclose(sig.numpy(), [1000.0, 1000.0, 0.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(
            tf.constant([[0.0, 0.5, 0.5]] * 2), x))
    assert np.all(np.isfinite(tape.gradient(total, x).numpy()))


# -- softmax --------------------------------------------------------------------------------------
def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@pytest.mark.parametrize("axis", [None, -1, 0, 1])
def test_softmax_and_log_softmax_along_any_axis(axis):
    x = np.random.default_rng(2).standard_normal((2, 3, 4))
    ax = -1 if axis is None else axis
    np.testing.assert_allclose(tf.nn.softmax(tf.constant(x), axis=axis).numpy(), _np_softmax(x, ax))
    np.testing.assert_allclose(tf.nn.log_softmax(tf.constant(x), axis=axis).numpy(),
                               np.log(_np_softmax(x, ax)))


def test_softmax_errors():
    with pytest.raises(InvalidArgumentError, match="axis 3"):
        tf.nn.softmax(tf.constant([[1.0, 2.0]]), axis=3)
    with pytest.raises(InvalidArgumentError, match="at least one dimension"):
        tf.nn.softmax(tf.constant(1.0))


def test_softmax_float16_keeps_dtype():
    y = tf.nn.softmax(tf.constant(np.array([1.0, 2.0, 3.0], np.float16)))
    assert y.dtype == tf.float16
    np.testing.assert_allclose(y.numpy().astype(np.float64), _np_softmax(np.array([1.0, 2, 3]), -1),
                               rtol=1e-3)


# -- l2_normalize and moments ---------------------------------------------------------------------
def test_l2_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant(x), axis=1).numpy(),
                               [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant(x)).numpy(), x / 5.0)
    np.testing.assert_allclose(tf.nn.l2_normalize(tf.constant(x), axis=[0, 1]).numpy(), x / 5.0)


@pytest.mark.parametrize("axes,keepdims", [([0], False), ([0, 2], False), ([1], True), (2, False)])
def test_moments_match_numpy(axes, keepdims):
    x = np.random.default_rng(3).standard_normal((3, 4, 5)).astype(np.float32)
    mean, var = tf.nn.moments(tf.constant(x), axes=axes, keepdims=keepdims)
    ax = tuple(axes) if isinstance(axes, list) else axes
    assert mean.dtype == var.dtype == tf.float32
    np.testing.assert_allclose(mean.numpy(), x.mean(ax, keepdims=keepdims), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var.numpy(), x.var(ax, keepdims=keepdims), rtol=1e-5, atol=1e-6)
    assert mean.shape == x.mean(ax, keepdims=keepdims).shape == var.shape


def test_moments_float16_reduces_in_float32():
    x = np.full((1000,), 60.0, np.float16)  # a float16 sum would overflow to inf
    mean, var = tf.nn.moments(tf.constant(x), axes=[0])
    assert mean.dtype == tf.float16
    assert float(mean.numpy()) == 60.0 and float(var.numpy()) == 0.0


# -- dropout --------------------------------------------------------------------------------------
def test_dropout_drops_about_rate_and_scales_the_rest():
    x = tf.ones([200, 100])
    y = tf.nn.dropout(x, rate=0.25).numpy()
    kept = y != 0
    assert y.dtype == np.float32
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.02


def test_dropout_rate_zero_is_identity_and_bad_rates_raise():
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.nn.dropout(x, 0.0).numpy(), [1.0, 2.0])
    for rate in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="rate"):
            tf.nn.dropout(x, rate)
    with pytest.raises(ValueError, match="floating point"):
        tf.nn.dropout(tf.constant([1, 2]), 0.5)


def test_dropout_noise_shape_shares_decisions():
    y = tf.nn.dropout(tf.ones([4, 50]), rate=0.5, noise_shape=[1, 50]).numpy()
    assert np.all(y == y[0])
    y = tf.nn.dropout(tf.ones([40, 6]), rate=0.5, noise_shape=[40, 1]).numpy()
    assert np.all(y == y[:, :1])
    with pytest.raises(InvalidArgumentError, match="noise_shape"):
        tf.nn.dropout(tf.ones([4, 5]), rate=0.5, noise_shape=[3, 5])


def test_dropout_is_reproducible_with_seeds():
    x = tf.ones([10, 10])
    tf.random.set_seed(5)
    a = tf.nn.dropout(x, 0.5).numpy()
    a2 = tf.nn.dropout(x, 0.5, seed=3).numpy()
    a3 = tf.nn.dropout(x, 0.5, seed=3).numpy()
    tf.random.set_seed(5)
    b = tf.nn.dropout(x, 0.5).numpy()
    b2 = tf.nn.dropout(x, 0.5, seed=3).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a2, a3)  # the same op seed still gives a new mask per call


def test_dropout_tensor_rate_and_float16():
    y = tf.nn.dropout(tf.ones([100, 100], dtype=tf.float16), rate=tf.constant(0.5, tf.float16))
    assert y.dtype == tf.float16
    vals = np.unique(y.numpy())
    np.testing.assert_array_equal(vals, [0.0, 2.0])


# -- bias_add -------------------------------------------------------------------------------------
def test_bias_add_channels_last_and_first():
    rng = np.random.default_rng(4)
    x, b = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal(5)
    np.testing.assert_allclose(tf.nn.bias_add(tf.constant(x), tf.constant(b)).numpy(), x + b)
    x2, b2 = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal(3)
    np.testing.assert_allclose(tf.nn.bias_add(x2, b2, data_format="NCHW").numpy(),
                               x2 + b2[:, None, None])
    ints = tf.nn.bias_add(tf.constant([[1, 2]]), tf.constant([10, 20]))
    np.testing.assert_array_equal(ints.numpy(), [[11, 22]])


def test_bias_add_errors_name_both_shapes():
    x = tf.zeros([2, 3])
    with pytest.raises(InvalidArgumentError, match=r"\(4,\).*\(2, 3\)"):
        tf.nn.bias_add(x, tf.zeros([4]))
    with pytest.raises(InvalidArgumentError, match=r"1-D.*\(1, 3\)"):
        tf.nn.bias_add(x, tf.zeros([1, 3]))
    with pytest.raises(InvalidArgumentError, match=r"axis 1.*\(2, 3\)"):
        tf.nn.bias_add(x, tf.zeros([2]), data_format="NCHW")
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.bias_add(x, tf.zeros([3]), data_format="HWC")
    with pytest.raises(InvalidArgumentError, match="dtypes"):
        tf.nn.bias_add(x, tf.zeros([3], dtype=tf.float64))


def test_bias_add_activation_fused_matches_composition():
    rng = np.random.default_rng(5)
    x, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    for act in ("relu", "gelu", "sigmoid", "linear"):
        got = nn_ops.bias_add_activation(tf.constant(x), tf.constant(b), act).numpy()
        want = nn_ops.activation(tf.nn.bias_add(tf.constant(x), tf.constant(b)), act).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize("kind", nn_ops.BIAS_ACTIVATIONS)
def test_bias_add_activation_taped_is_one_op_with_the_fused_values_and_gradients(kind):
    rng = np.random.default_rng(15)
    x = tf.constant(rng.standard_normal((4, 2, 5)) * 3)
    b = tf.constant(rng.standard_normal(5))
    w = tf.constant(rng.standard_normal((4, 2, 5)))
    untaped = nn_ops.bias_add_activation(x, b, kind, alpha=0.3).numpy()
    with tf.GradientTape() as tape:
        tape.watch([x, b])
        y = nn_ops.bias_add_activation(x, b, kind, alpha=0.3)
        assert len(tape._nodes) == 1   # bias add and activation recorded as one op
        loss = tf.reduce_sum(y * w)
    fused = tape.gradient(loss, [x, b])
    np.testing.assert_array_equal(y.numpy(), untaped)
    # The composition of the two ops gives the same values and gradients.
    with tf.GradientTape() as tape:
        tape.watch([x, b])
        z = tf.nn.bias_add(x, b)
        want = tf.nn.softmax(z) if kind == "softmax" else nn_ops.activation(z, kind, alpha=0.3)
        loss = tf.reduce_sum(want * w)
    composed = tape.gradient(loss, [x, b])
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=1e-14, atol=1e-15)
    for got, expected in zip(fused, composed):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-15)


# -- cross-entropy --------------------------------------------------------------------------------
def test_sparse_categorical_crossentropy_probs_equals_keras_composition():
    """Values and gradients equal (bit for bit) rescaling, clipping to [1e-7, 1 - 1e-7], log,
    one-hot and sum as separate ops, also for clipped entries and out-of-range labels."""
    from gpukeras.ops.keras_names import nn as keras_nn
    rng = np.random.default_rng(16)
    for dtype in (np.float32, np.float64):
        p = (rng.random((9, 5)) ** 6).astype(dtype)
        p[0] = [1, 0, 0, 0, 0]          # clipped at 1 - eps and at eps
        p[1, 2] = 1e-12                 # clipped at eps
        p[2] *= 1e-9                    # tiny but not clipped after rescaling
        labels = np.array([0, 2, 1, 3, 4, 0, 1, 5, -1])   # the last two are out of range
        probs, lab = tf.constant(p), tf.constant(labels)
        w = tf.constant(rng.standard_normal(9).astype(dtype))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(probs)
            fused = ce_ops.sparse_categorical_crossentropy_probs(lab, probs)
            composed = keras_nn.sparse_categorical_crossentropy(lab, probs)
            fused_sum, composed_sum = tf.reduce_sum(fused * w), tf.reduce_sum(composed * w)
        assert fused.dtype == probs.dtype and fused.shape == (9,)
        np.testing.assert_array_equal(fused.numpy(), composed.numpy())
        assert fused.numpy()[-2:].tolist() == [0.0, 0.0]
        np.testing.assert_array_equal(tape.gradient(fused_sum, probs).numpy(),
                                      tape.gradient(composed_sum, probs).numpy())


def test_sparse_categorical_crossentropy_probs_errors():
    probs = tf.constant([[0.5, 0.5], [0.1, 0.9]])
    with pytest.raises(TypeError, match="integer"):
        ce_ops.sparse_categorical_crossentropy_probs(tf.constant([0.0, 1.0]), probs)
    with pytest.raises(InvalidArgumentError, match=r"\(3,\).*\(2, 2\)"):
        ce_ops.sparse_categorical_crossentropy_probs(tf.constant([0, 1, 1]), probs)


def test_softmax_cross_entropy_matches_formula_on_any_axis():
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((3, 4))
    labels = _np_softmax(rng.standard_normal((3, 4)), -1)
    want = -np.sum(labels * np.log(_np_softmax(logits, -1)), -1)
    got = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=tf.constant(logits))
    np.testing.assert_allclose(got.numpy(), want)
    got0 = tf.nn.softmax_cross_entropy_with_logits(labels=labels.T, logits=tf.constant(logits.T),
                                                   axis=0)
    np.testing.assert_allclose(got0.numpy(), want)
    f32 = tf.nn.softmax_cross_entropy_with_logits([[0.0, 1.0]], tf.constant([[1.0, 2.0]]))
    assert f32.dtype == tf.float32 and f32.shape == (1,)


def test_softmax_cross_entropy_errors():
    with pytest.raises(InvalidArgumentError, match=r"\(2, 3\).*\(2, 4\)"):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 4]), tf.zeros([2, 3]))


def test_sparse_softmax_cross_entropy_equals_dense_one_hot():
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((2, 3, 5)).astype(np.float32)
    labels = rng.integers(0, 5, (2, 3))
    got = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                         logits=tf.constant(logits))
    dense = tf.nn.softmax_cross_entropy_with_logits(labels=np.eye(5, dtype=np.float32)[labels],
                                                    logits=tf.constant(logits))
    assert got.dtype == tf.float32 and got.shape == (2, 3)
    np.testing.assert_allclose(got.numpy(), dense.numpy(), rtol=1e-6)


def test_sparse_softmax_cross_entropy_errors():
    logits = tf.zeros([2, 3])
    with pytest.raises(InvalidArgumentError, match=r"label value of 3\b.*\[0, 3\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 3]), logits)
    with pytest.raises(InvalidArgumentError, match=r"label value of -1\b"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([-1, 0]), logits)
    with pytest.raises(InvalidArgumentError, match=r"\(3,\).*\(2, 3\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0, 1, 2]), logits)
    with pytest.raises(TypeError, match="int32 or int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([0.0, 1.0]), logits)


def test_sigmoid_cross_entropy_matches_formula():
    rng = np.random.default_rng(8)
    x, z = rng.standard_normal((3, 4)) * 5, rng.uniform(0, 1, (3, 4))
    got = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(z), logits=tf.constant(x))
    want = -(z * np.log(_sig(x)) + (1 - z) * np.log(1 - _sig(x)))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    with pytest.raises(InvalidArgumentError, match=r"\(3,\).*\(2,\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([2]), logits=tf.zeros([3]))


# -- gradients ------------------------------------------------------------------------------------
def grad_of(op):
    """x -> d(sum op(x))/dx computed by an inner tape (for second-order checks)."""
    def first(x, *rest):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(x, *rest)
        return tape.gradient(y, x)
    return first


def _x(shape=(2, 3), seed=0, scale=4.0):
    return away_from_kinks(shape, seed, scale)


_LOGITS = np.random.default_rng(11).standard_normal((3, 4))
_PROBS = _np_softmax(np.random.default_rng(12).standard_normal((3, 4)), -1)
# Like TensorFlow's, the fused gradient softmax - labels assumes labels summing to 1 along the
# class axis (valid probability distributions).
_PROBS0 = _np_softmax(np.random.default_rng(13).standard_normal((3, 4)), 0)
_SPARSE = np.array([0, 3, 1])
_BIAS4 = np.array([0.1, -0.2, 0.3, 0.5])

GRAD_CASES = [
    GradCase("relu", tf.nn.relu, (_x(),)),
    GradCase("relu6", tf.nn.relu6, (_x(scale=8.0),)),
    GradCase("leaky_relu", lambda x: tf.nn.leaky_relu(x, alpha=0.3), (_x(),)),
    GradCase("elu", tf.nn.elu, (_x(),)),
    GradCase("selu", tf.nn.selu, (_x(),)),
    GradCase("gelu", tf.nn.gelu, (_x(),)),
    GradCase("gelu", lambda x: tf.nn.gelu(x, approximate=True), (_x(),), id="tanh"),
    GradCase("silu", tf.nn.silu, (_x(),)),
    GradCase("silu", lambda x, b: tf.nn.silu(x, beta=b), (_x(), np.array(0.7)), id="tensor-beta"),
    GradCase("swish", lambda x: tf.nn.swish(x, beta=2.0), (_x(),)),
    GradCase("softplus", tf.nn.softplus, (_x(),)),
    GradCase("softsign", tf.nn.softsign, (_x(),)),
    GradCase("hard_sigmoid", nn_ops.hard_sigmoid, (_x(),)),
    GradCase("activation", lambda x: nn_ops.activation(x, "sigmoid"), (_x(),), id="sigmoid"),
    GradCase("activation", lambda x: nn_ops.activation(x, "tanh"), (_x(),), id="tanh"),
    GradCase("activation", lambda x: nn_ops.activation(x, "elu", alpha=0.5), (_x(),), id="elu"),
    GradCase("activation", lambda x: nn_ops.activation(x, "linear"), (_x(),), id="linear"),
    GradCase("bias_add_activation", lambda x, b: nn_ops.bias_add_activation(x, b, "gelu"),
             (_x((2, 3)), np.array([0.1, -0.2, 0.3]))),
    GradCase("bias_add_activation", lambda x, b: nn_ops.bias_add_activation(x, b, "relu"),
             (_x((2, 3)), np.array([0.1, -0.2, 0.3])), id="relu"),
    GradCase("bias_add_activation", lambda x, b: nn_ops.bias_add_activation(x, b, "sigmoid"),
             (_x((2, 2, 3)), np.array([0.1, -0.2, 0.3])), id="sigmoid-3d"),
    GradCase("bias_add_activation", lambda x, b: nn_ops.bias_add_activation(x, b, "softmax"),
             (_LOGITS, np.array([0.1, -0.2, 0.3, 0.5])), id="softmax"),
    GradCase("softmax", tf.nn.softmax, (_LOGITS,)),
    GradCase("softmax", lambda x: tf.nn.softmax(x, axis=0), (_LOGITS,), id="axis0"),
    GradCase("log_softmax", tf.nn.log_softmax, (_LOGITS,)),
    GradCase("log_softmax", lambda x: tf.nn.log_softmax(x, axis=0), (_LOGITS,), id="axis0"),
    GradCase("l2_normalize", tf.nn.l2_normalize, (_LOGITS,)),
    GradCase("l2_normalize", lambda x: tf.nn.l2_normalize(x, axis=1), (_LOGITS,), id="axis1"),
    GradCase("moments", lambda x: tf.nn.moments(x, axes=[0]), (_LOGITS,)),
    GradCase("moments", lambda x: tf.nn.moments(x, axes=[0, 1], keepdims=True), (_LOGITS,),
             id="all-keepdims"),
    GradCase("dropout", lambda x: (tf.random.set_seed(7), tf.nn.dropout(x, 0.4, seed=1))[1],
             (_LOGITS,)),
    GradCase("dropout", lambda x: (tf.random.set_seed(7),
                                   tf.nn.dropout(x, 0.5, noise_shape=[3, 1]))[1], (_LOGITS,),
             id="noise-shape"),
    GradCase("bias_add", tf.nn.bias_add, (_x((2, 3, 4)), np.array([0.1, 0.2, 0.3, 0.4]))),
    GradCase("bias_add", lambda x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
             (_x((2, 3, 2, 2)), np.array([0.1, 0.2, 0.3])), id="nchw"),
    GradCase("softmax_cross_entropy_with_logits",
             lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x), (_PROBS, _LOGITS)),
    GradCase("softmax_cross_entropy_with_logits",
             lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0),
             (_PROBS0, _LOGITS), id="axis0"),
    GradCase("softmax_cross_entropy_with_logits",
             lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x),
             (_PROBS[:1], _LOGITS), id="broadcast-labels"),
    GradCase("sparse_softmax_cross_entropy_with_logits",
             lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(_SPARSE), x),
             (_LOGITS,)),
    GradCase("sigmoid_cross_entropy_with_logits",
             lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
             (_PROBS, _LOGITS * 3)),
    GradCase("sparse_categorical_crossentropy_probs",
             lambda p: ce_ops.sparse_categorical_crossentropy_probs(tf.constant(_SPARSE), p),
             (_PROBS,)),
    GradCase("sparse_categorical_crossentropy_probs",
             lambda p: ce_ops.sparse_categorical_crossentropy_probs(tf.constant(_SPARSE), p),
             (_PROBS * np.array([[2.0], [0.5], [3.0]]),), id="unnormalised"),
]

# Second order: the inner gradient runs while the outer tape records, so it takes the composed
# (differentiable) path; finite differences of it take the fused-kernel path.
SECOND_ORDER = [
    ("relu", tf.nn.relu), ("elu", tf.nn.elu), ("selu", tf.nn.selu), ("gelu", tf.nn.gelu),
    ("gelu", lambda x: tf.nn.gelu(x, approximate=True)), ("silu", tf.nn.silu),
    ("softplus", tf.nn.softplus), ("softsign", tf.nn.softsign),
    ("leaky_relu", tf.nn.leaky_relu), ("relu6", tf.nn.relu6),
    ("hard_sigmoid", nn_ops.hard_sigmoid),
    ("activation", lambda x: nn_ops.activation(x, "sigmoid")),
    ("activation", lambda x: nn_ops.activation(x, "tanh")),
    ("softmax", lambda x: tf.nn.softmax(x) * tf.constant(_PROBS)),
    ("log_softmax", lambda x: tf.nn.log_softmax(x, axis=0) * tf.constant(_PROBS)),
    ("softmax_cross_entropy_with_logits",
     lambda x: tf.nn.softmax_cross_entropy_with_logits(tf.constant(_PROBS), x)),
    ("sparse_softmax_cross_entropy_with_logits",
     lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(_SPARSE), x)),
    ("sigmoid_cross_entropy_with_logits",
     lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(_PROBS), logits=x)),
    ("bias_add_activation",
     lambda x: nn_ops.bias_add_activation(x, tf.constant(_BIAS4), "tanh")),
    ("bias_add_activation",
     lambda x: nn_ops.bias_add_activation(x, tf.constant(_BIAS4), "gelu")),
    ("bias_add_activation",
     lambda x: nn_ops.bias_add_activation(x, tf.constant(_BIAS4), "softmax")
     * tf.constant(_PROBS)),
    ("sparse_categorical_crossentropy_probs",
     lambda x: ce_ops.sparse_categorical_crossentropy_probs(tf.constant(_SPARSE), tf.exp(x))),
]
GRAD_CASES += [GradCase(name, grad_of(fn), (_LOGITS if "soft" in name and "max" in name
                                            or "entropy" in name or name.startswith("bias")
                                            else _x((3, 4), seed=5),),
                        id=f"2nd-{i}") for i, (name, fn) in enumerate(SECOND_ORDER)]


@pytest.mark.parametrize("case", GRAD_CASES, ids=repr)
def test_gradient(case):
    check_gradient(case)


def test_second_order_closed_forms():
    x = tf.constant(np.array([-2.0, -0.5, 0.3, 1.7]))
    xs = x.numpy()
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = nn_ops.activation(x, "sigmoid")
        dy = inner.gradient(y, x)
    s = _sig(xs)
    np.testing.assert_allclose(dy.numpy(), s * (1 - s))
    np.testing.assert_allclose(outer.gradient(dy, x).numpy(), s * (1 - s) * (1 - 2 * s))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.gelu(x)
        dy = inner.gradient(y, x)
    pdf = np.exp(-xs ** 2 / 2) / np.sqrt(2 * np.pi)
    np.testing.assert_allclose(outer.gradient(dy, x).numpy(), (2 - xs ** 2) * pdf, rtol=1e-12)


@pytest.mark.parametrize("kind", nn_ops.ACTIVATIONS)
def test_composed_and_fused_first_order_gradients_agree(kind):
    x = tf.constant(_x((4, 5), seed=9, scale=7.0))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = nn_ops.activation(x, kind, alpha=0.3)
    fused = tape.gradient(y, x).numpy()
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = nn_ops.activation(x, kind, alpha=0.3)
        composed = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(composed, fused, rtol=1e-12, atol=1e-15)
