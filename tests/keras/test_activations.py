"""keras.activations against the real Keras 3 (NumPy backend) on the same inputs."""

import math

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.keras import activations
from gpukeras.keras.saving import object_registration as registration
from tests.helpers import GradCase, check_gradient

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(0)
X = np.concatenate([np.linspace(-5, 5, 21), [-1.0, 1.0, 0.0, -3.0, 3.0, 0.5, -0.5],
                    RNG.normal(size=12) * 3]).astype(np.float32).reshape(5, 8)
NAMES = sorted(set(activations.ALL_OBJECTS_DICT) - {"threshold"})


def _np(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


@pytest.mark.parametrize("name", NAMES)
def test_values_match_keras(name):
    ours = activations.get(name)(tf.constant(X))
    theirs = np.asarray(keras.activations.get(name)(X))
    assert ours.dtype == tf.float32
    np.testing.assert_allclose(_np(ours), theirs, rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("name", ["relu", "gelu", "softplus", "mish", "elu", "selu", "sigmoid",
                                  "softmax", "log_softmax", "sparsemax", "celu", "hard_silu"])
def test_float64_keeps_its_dtype(name):
    x = X.astype(np.float64)
    ours = activations.get(name)(tf.constant(x))
    assert ours.dtype == tf.float64
    # Keras's NumPy backend rounds some of these through float32, hence the tolerance.
    np.testing.assert_allclose(_np(ours), np.asarray(keras.activations.get(name)(x)),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {}, {"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 6}, {"max_value": 2.5},
    {"threshold": 1.0}, {"threshold": -0.5, "max_value": 3.0},
    {"negative_slope": 0.2, "max_value": 6.0}, {"negative_slope": 0.1, "threshold": 1.0},
    {"negative_slope": 0.3, "threshold": 0.5, "max_value": 2.0}])
def test_relu_arguments_match_keras(kwargs):
    ours = activations.relu(tf.constant(X), **kwargs)
    theirs = np.asarray(keras.activations.relu(X, **kwargs))
    np.testing.assert_allclose(_np(ours), theirs, rtol=1e-6, atol=1e-7)


def test_defaults_follow_keras_3():
    x = tf.constant(X)
    # gelu is exact by default in keras.activations (keras.ops.gelu defaults to the tanh form)
    np.testing.assert_allclose(_np(activations.gelu(x)),
                               np.asarray(keras.activations.gelu(X)), rtol=1e-6, atol=1e-7)
    exact = 0.5 * X.astype(np.float64) * (1 + np.vectorize(math.erf)(X / 2 ** .5))
    np.testing.assert_allclose(_np(activations.gelu(x)), exact, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(activations.gelu(x, approximate=True)),
                               np.asarray(keras.activations.gelu(X, approximate=True)),
                               rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(activations.leaky_relu(x)), np.where(X > 0, X, 0.2 * X),
                               rtol=1e-6)
    np.testing.assert_allclose(_np(activations.elu(x, alpha=0.5)),
                               np.asarray(keras.activations.elu(X, alpha=0.5)), rtol=1e-6)


@pytest.mark.parametrize("axis", [0, 1, -1, (0, 1)])
def test_softmax_axes(axis):
    for ours, theirs in ((activations.softmax, keras.activations.softmax),
                         (activations.log_softmax, keras.activations.log_softmax)):
        np.testing.assert_allclose(_np(ours(tf.constant(X), axis=axis)),
                                   np.asarray(theirs(X, axis=axis)), rtol=1e-5, atol=1e-6)


def test_parameterised_extras_match_keras():
    x = tf.constant(X)
    cases = [(activations.celu, {"alpha": 0.5}), (activations.squareplus, {"b": 2}),
             (activations.hard_shrink, {"threshold": 1.0}),
             (activations.soft_shrink, {"threshold": 1.0}),
             (activations.glu, {"axis": -1}),
             (activations.sparsemax, {"axis": 0})]
    for fn, kw in cases:
        theirs = np.asarray(getattr(keras.activations, fn.__name__)(X, **kw))
        np.testing.assert_allclose(_np(fn(x, **kw)), theirs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(activations.threshold(x, 0.5, -2.0)),
                               np.asarray(keras.activations.threshold(X, 0.5, -2.0)))


def test_glu_needs_an_even_axis():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(tf.ones([2, 3]))


def test_integer_inputs_become_float32():
    ints = tf.constant([[-2, 0, 3]])
    assert activations.sigmoid(ints).dtype == tf.float32
    assert activations.mish(ints).dtype == tf.float32
    assert activations.relu(ints, max_value=2).dtype == tf.float32
    np.testing.assert_array_equal(_np(activations.relu(ints)), [[0, 0, 3]])


def test_variables_are_accepted():
    v = tf.Variable(X)
    np.testing.assert_allclose(_np(activations.swish(v)), np.asarray(keras.activations.swish(X)),
                               rtol=1e-6)


# -- get / serialize / deserialize ----------------------------------------------------------------
def test_names_match_keras():
    from keras.src.activations import ALL_OBJECTS_DICT as KERAS_NAMES
    assert set(activations.ALL_OBJECTS_DICT) == set(KERAS_NAMES)
    for name, fn in activations.ALL_OBJECTS_DICT.items():
        assert fn.__name__ == KERAS_NAMES[name].__name__


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu
    assert activations.get(activations.tanh) is activations.tanh

    def custom(x):
        return x * 2
    assert activations.get(custom) is custom
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get("no_such_activation")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(42)


@pytest.mark.parametrize("name", ["relu", "swish", "hard_swish", "gelu", "softmax", "linear"])
def test_serialize_matches_keras(name):
    ours = activations.serialize(activations.get(name))
    assert ours == keras.activations.serialize(keras.activations.get(name))
    assert activations.deserialize(ours) is activations.get(name)


def test_dict_configs_from_keras_resolve():
    for name in ("relu", "gelu", "silu"):
        config = keras.saving.serialize_keras_object(keras.activations.get(name))
        assert activations.get(config) is activations.get(name)
        assert activations.deserialize(config) is activations.get(name)
    public = {"module": "keras.activations", "class_name": "function", "config": "elu",
              "registered_name": "elu"}
    assert activations.get(public) is activations.elu


def test_custom_function_round_trip():
    def my_act(x):
        return x * 3
    try:
        registration.register_keras_serializable(package="TestAct")(my_act)
        config = activations.serialize(my_act)
        assert config["config"] == "TestAct>my_act"
        assert activations.deserialize(config) is my_act
        assert activations.get("TestAct>my_act") is my_act
    finally:
        registration.GLOBAL_CUSTOM_OBJECTS.pop("TestAct>my_act", None)
        registration.GLOBAL_CUSTOM_NAMES.pop(my_act, None)
    with registration.custom_object_scope({"my_act": my_act}):
        assert activations.deserialize("my_act") is my_act
        assert activations.get("my_act") is my_act


def test_fused_kinds_compute_the_same_function():
    from gpukeras.ops import nn
    x = tf.constant(X)
    zero_bias = tf.zeros([X.shape[-1]])
    for fn, (kind, alpha) in activations.FUSED_KINDS.items():
        np.testing.assert_allclose(_np(nn.bias_add_activation(x, zero_bias, kind, alpha)),
                                   _np(fn(x)), rtol=1e-6, atol=1e-7)


# -- gradients of the activations composed from several ops ---------------------------------------
_A = np.array([[-2.3, -0.7, 0.4, 1.9], [0.9, -1.6, 2.8, -0.2]])
GRAD_CASES = [
    GradCase(op="keras.activations.mish", fn=activations.mish, args=(_A,)),
    GradCase(op="keras.activations.celu", fn=lambda x: activations.celu(x, alpha=0.7),
             args=(_A,)),
    GradCase(op="keras.activations.squareplus", fn=activations.squareplus, args=(_A,)),
    GradCase(op="keras.activations.glu", fn=activations.glu, args=(_A,)),
    GradCase(op="keras.activations.relu", id="slope-threshold-max",
             fn=lambda x: activations.relu(x, negative_slope=0.1, threshold=0.5, max_value=2.0),
             args=(_A,)),
    GradCase(op="keras.activations.soft_shrink", fn=activations.soft_shrink, args=(_A,)),
]


@pytest.mark.parametrize("case", GRAD_CASES, ids=repr)
def test_gradient(case):
    check_gradient(case)
