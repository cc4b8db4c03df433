"""keras.layers.Dense against the real Keras 3 (NumPy backend), NumPy and finite differences."""

import numpy as np
import pytest

import gpukeras as tf
from gpukeras import keras
from gpukeras.keras.layers import core as L
from tests.helpers import GradCase, check_gradient
from tests.keras.layers._reference import check_weight_gradients, comparable_config, to_np

K = pytest.importorskip("keras")

RNG = np.random.default_rng(3)
X2 = RNG.normal(size=(5, 4)).astype(np.float32)
X4 = RNG.normal(size=(2, 3, 2, 4)).astype(np.float32)
ACTIVATIONS = ["relu", "sigmoid", "tanh", "softmax", "gelu", "selu", "softplus", "swish",
               "linear", None, "relu6", "hard_sigmoid", "mish", "exponential",
               "elu", "leaky_relu"]


def _twin(ours, **kwargs):
    """The Keras Dense with our layer's arguments and weights."""
    theirs = K.layers.Dense(ours.units, **kwargs)
    theirs.build((None, ours.kernel.shape[0]))
    theirs.set_weights(ours.get_weights())
    return theirs


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_matches_keras_for_each_activation(activation):
    ours = L.Dense(3, activation=activation)
    out = ours(X2)
    theirs = _twin(ours, activation=activation)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(to_np(out), np.asarray(theirs(X2)), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("x", [X2, X4, X4[0]], ids=["2d", "4d", "3d"])
@pytest.mark.parametrize("use_bias", [True, False])
def test_nd_inputs_act_on_the_last_axis(x, use_bias):
    ours = L.Dense(6, activation="relu", use_bias=use_bias,
                   bias_initializer="random_normal")
    out = ours(x)
    kernel = ours.kernel.numpy()
    expected = x @ kernel + (ours.bias.numpy() if use_bias else 0)
    np.testing.assert_allclose(to_np(out), np.maximum(expected, 0), rtol=1e-5, atol=1e-6)
    assert tuple(out.shape) == x.shape[:-1] + (6,)
    theirs = _twin(ours, activation="relu", use_bias=use_bias)
    np.testing.assert_allclose(to_np(out), np.asarray(theirs(x)), rtol=1e-5, atol=1e-6)


def test_weight_names_shapes_and_paths():
    layer = L.Dense(3, name="dense_w")
    layer.build((None, 4))
    kernel, bias = layer.weights
    assert (kernel.name, tuple(kernel.shape), kernel.path) == ("kernel", (4, 3), "dense_w/kernel")
    assert (bias.name, tuple(bias.shape), bias.path) == ("bias", (3,), "dense_w/bias")
    assert layer.kernel is kernel and layer.bias is bias and layer.count_params() == 15
    assert L.Dense(3, use_bias=False)(X2) is not None
    no_bias = L.Dense(3, use_bias=False)
    no_bias.build((None, 4))
    assert [w.name for w in no_bias.weights] == ["kernel"] and no_bias.bias is None
    np.testing.assert_array_equal(bias.numpy(), np.zeros(3, np.float32))


def test_default_kernel_is_glorot_uniform():
    layer = L.Dense(300)
    layer.build((None, 200))
    k = layer.kernel.numpy()
    limit = np.sqrt(6 / 500)
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.9 * limit
    assert abs(k.std() - limit / np.sqrt(3)) < 0.01


def test_regularizer_losses():
    layer = L.Dense(3, kernel_regularizer=keras.regularizers.L2(0.1),
                    bias_regularizer=keras.regularizers.L1(0.2), bias_initializer="ones",
                    activity_regularizer=keras.regularizers.L1(0.01))
    out = layer(X2[:1])   # a batch of one: Keras 3.15 divides activity penalties by the batch
    k, b = layer.kernel.numpy(), layer.bias.numpy()
    losses = [float(v) for v in layer.losses]
    assert len(losses) == 3
    expected_weights = sorted([0.1 * (k.astype(np.float64) ** 2).sum(), 0.2 * np.abs(b).sum()])
    activity = 0.01 * np.abs(to_np(out)).sum()
    np.testing.assert_allclose(sorted(losses), sorted(expected_weights + [activity]), rtol=1e-5)
    # weight penalties are the same as Keras's (its activity penalty is divided by the batch)
    theirs = _twin(layer, kernel_regularizer=K.regularizers.L2(0.1),
                   bias_regularizer=K.regularizers.L1(0.2))
    theirs(X2)
    np.testing.assert_allclose(sorted(float(v) for v in theirs.losses), expected_weights,
                               rtol=1e-5)


def test_constraint_objects_are_stored():
    max_norm = keras.constraints.MaxNorm(2.0)
    layer = L.Dense(3, kernel_constraint=max_norm, bias_constraint="non_neg")
    layer.build((None, 4))
    assert layer.kernel_constraint is max_norm and layer.kernel.constraint is max_norm
    assert isinstance(layer.bias_constraint, keras.constraints.NonNeg)
    assert layer.bias.constraint is layer.bias_constraint


def test_input_validation_error_names_the_layer_and_both_shapes():
    ours, theirs = L.Dense(3, name="dense_v"), K.layers.Dense(3, name="dense_v")
    ours(X2)
    theirs(X2)
    bad = np.ones((2, 5), np.float32)
    with pytest.raises(ValueError) as ours_error:
        ours(bad)
    with pytest.raises(ValueError) as theirs_error:
        theirs(bad)
    assert str(ours_error.value) == str(theirs_error.value)
    assert "dense_v" in str(ours_error.value) and "value 4" in str(ours_error.value)
    assert "(2, 5)" in str(ours_error.value)
    with pytest.raises(ValueError, match="dense_v"):
        ours(keras.Input((5,)))


def test_rank_and_units_errors():
    with pytest.raises(ValueError, match="min_ndim=2, found ndim=1"):
        L.Dense(3)(np.ones(3, np.float32))
    for units in (0, -2):
        with pytest.raises(ValueError) as ours:
            L.Dense(units)
        with pytest.raises(ValueError) as theirs:
            K.layers.Dense(units)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="last dimension of the inputs to a Dense layer"):
        L.Dense(3)(keras.Input((None,)))


@pytest.mark.parametrize("kwargs", [
    {}, {"activation": "relu", "use_bias": False},
    {"kernel_initializer": "he_normal", "bias_initializer": "ones", "kernel_regularizer": "l2",
     "bias_regularizer": "l1", "activity_regularizer": "l2",
     "kernel_constraint": "max_norm", "bias_constraint": "non_neg"},
    {"activation": "softmax", "dtype": "float64"}])
def test_config_matches_keras_and_round_trips(kwargs):
    ours = L.Dense(5, **kwargs)
    config = ours.get_config()
    theirs = comparable_config(K.layers.Dense(5, **kwargs).get_config())
    assert comparable_config(config) == theirs
    clone = L.Dense.from_config(config)
    assert clone.get_config() == config
    keras_clone = K.layers.Dense.from_config(config)
    assert comparable_config(keras_clone.get_config()) == comparable_config(config)


def test_reads_a_keras_config():
    config = K.layers.Dense(4, activation="relu").get_config()
    assert comparable_config(L.Dense.from_config(config).get_config()) == \
        comparable_config(config)


def test_symbolic_shape_matches_eager_and_keras():
    layer = L.Dense(7)
    for shape in [(4,), (3, 4), (None, 4)]:
        symbolic = layer(keras.Input(shape))
        assert symbolic.shape == (None,) + shape[:-1] + (7,)
        assert symbolic.shape == tuple(K.layers.Dense(7)(K.Input(shape)).shape)
    assert tuple(layer(X4).shape) == layer.compute_output_shape(X4.shape) == (2, 3, 2, 7)


def test_float64_layer_keeps_float64_and_float32_layer_casts_inputs():
    layer64 = L.Dense(2, dtype="float64")
    assert layer64(X2.astype(np.float64)).dtype == tf.float64
    assert layer64.kernel.dtype == tf.float64
    assert L.Dense(2)(X2.astype(np.float64)).dtype == tf.float32


# -- gradients ----------------------------------------------------------------------------------
X2_64 = RNG.normal(size=(3, 4))
X3_64 = RNG.normal(size=(2, 3, 4))


def _dense(activation, **kwargs):
    layer = L.Dense(3, activation=activation, dtype="float64", bias_initializer="random_normal",
                    **kwargs)
    layer.build((None, 4))
    return layer


LAYERS = {"linear": _dense(None), "tanh": _dense("tanh"), "sigmoid": _dense("sigmoid"),
          "relu": _dense("relu"), "softmax": _dense("softmax"), "gelu": _dense("gelu"),
          "no_bias": _dense("elu", use_bias=False)}

LAYER_GRAD_CASES = [
    GradCase(op="Dense", id=f"{name}-input", fn=lambda x, layer=layer: layer(x), args=(X2_64,))
    for name, layer in LAYERS.items()] + [
    GradCase(op="Dense", id="3d-input", fn=lambda x: LAYERS["tanh"](x), args=(X3_64,)),
]


@pytest.mark.parametrize("case", LAYER_GRAD_CASES, ids=repr)
def test_gradient_wrt_input(case):
    check_gradient(case)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("x", [X2_64, X3_64], ids=["2d", "3d"])
def test_gradient_wrt_kernel_and_bias(name, x):
    check_weight_gradients(LAYERS[name], x)


def test_second_order_gradient_wrt_input():
    layer = LAYERS["tanh"]
    x = tf.constant(X2_64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(layer(x))
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * g)
    got = to_np(outer.gradient(z, x))
    k, b = layer.kernel.numpy(), layer.bias.numpy()

    def grad_sq(xv):
        t = np.tanh(xv @ k + b)
        gx = (1 - t ** 2) @ k.T
        return (gx ** 2).sum()

    expected = np.zeros_like(X2_64)
    for idx in np.ndindex(X2_64.shape):
        e = np.zeros_like(X2_64)
        e[idx] = 1e-6
        expected[idx] = (grad_sq(X2_64 + e) - grad_sq(X2_64 - e)) / 2e-6
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("activation", ["relu", "softmax", "gelu", "linear"])
def test_taped_forward_is_one_matmul_and_one_fused_op(activation):
    """Under a tape (training), bias add and activation are recorded as one op, with the
    values of the untaped (inference) forward and the gradients of their composition."""
    layer = L.Dense(3, activation=activation)
    x = tf.constant(X2)
    untaped = layer(x).numpy()
    with tf.GradientTape() as tape:
        y = layer(x)
        assert len(tape._nodes) == 2
        loss = tf.reduce_sum(y * tf.constant(RNG.normal(size=(5, 3)).astype(np.float32)))
    np.testing.assert_array_equal(y.numpy(), untaped)
    grads = tape.gradient(loss, [layer.kernel, layer.bias])
    assert all(g is not None and g.shape == v.shape
               for g, v in zip(grads, [layer.kernel, layer.bias]))
