"""``keras.activations``: the Keras 3 activation functions, ``get``, ``serialize``, ``deserialize``.

Each activation runs on the fused activation kernels of ``gpukeras.ops.nn`` where one exists
(relu, leaky_relu, relu6, elu, selu, gelu, silu, softplus, softsign, sigmoid, hard_sigmoid,
tanh, softmax); the rest compose differentiable gpukeras ops. Integer inputs become float32
as in ``keras.ops``.
"""

import types

from ..ops import keras_names as ops
from ..ops import nn as _nn
from .saving import object_registration as _registration
from .saving.object_registration import keras_export


def _export(*names):
    return keras_export([f"keras.activations.{n}" for n in names])


def _float(x):
    """``x`` as a Tensor of a float dtype (integers and bools become float32)."""
    x = ops.convert_to_tensor(x)
    return x if x.dtype.is_floating else ops.cast(x, "float32")


# -- the rectifiers -------------------------------------------------------------------------------
@_export("relu")
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """max(x, 0), or with arguments: ``negative_slope * (x - threshold)`` below ``threshold``,
    ``x`` above it, clipped to ``max_value`` (Keras 3's relu)."""
    if threshold == 0:
        if negative_slope == 0 and max_value is None:
            return ops.relu(x)
        if max_value is None:
            return ops.leaky_relu(x, negative_slope=negative_slope)
        if negative_slope == 0 and max_value == 6:
            return ops.relu6(x)
    x = _float(x)
    if negative_slope != 0:
        negative_part = ops.relu(threshold - x) if threshold != 0 else ops.relu(-x)
    y = ops.where(x > threshold, x, 0.0) if threshold != 0 else ops.relu(x)
    if max_value is not None:
        y = ops.clip(y, 0.0, max_value)
    if negative_slope != 0:
        y = y - negative_part * negative_slope
    return y


@_export("leaky_relu")
def leaky_relu(x, negative_slope=0.2):
    """x where positive, ``negative_slope * x`` elsewhere."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


@_export("relu6")
def relu6(x):
    """min(max(x, 0), 6)."""
    return ops.relu6(x)


@_export("elu")
def elu(x, alpha=1.0):
    """Exponential linear unit: x where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return ops.elu(x, alpha=alpha)


@_export("selu")
def selu(x):
    """Scaled ELU with the self-normalising constants (use with lecun_normal)."""
    return ops.selu(x)


@_export("celu")
def celu(x, alpha=1.0):
    """Continuously differentiable ELU: max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    x = _float(x)
    return ops.relu(x) + ops.expm1(ops.minimum(x, 0.0) / alpha) * alpha


# -- smooth and gated units ---------------------------------------------------------------------
@_export("gelu")
def gelu(x, approximate=False):
    """Gaussian error linear unit x * Phi(x); ``approximate=True`` uses the tanh formula."""
    return ops.gelu(x, approximate=approximate)


@_export("silu", "swish")
def silu(x):
    """Sigmoid linear unit (swish): x * sigmoid(x)."""
    return ops.silu(x)


swish = silu


@_export("mish")
def mish(x):
    """x * tanh(softplus(x))."""
    x = _float(x)
    return x * ops.tanh(ops.softplus(x))


@_export("glu")
def glu(x, axis=-1):
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the second half."""
    x = _float(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={tuple(x.shape)} "
                         f"with axis={axis}")
    a, b = ops.split(x, 2, axis=axis)
    return a * ops.sigmoid(b)


@_export("softplus")
def softplus(x):
    """log(exp(x) + 1), computed stably."""
    return ops.softplus(x)


@_export("softsign")
def softsign(x):
    """x / (abs(x) + 1)."""
    return ops.softsign(x)


@_export("squareplus")
def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth relu."""
    x = _float(x)
    return (x + ops.sqrt(ops.square(x) + b)) / 2


@_export("sparse_plus")
def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 between -1 and 1, x from 1 on."""
    x = _float(x)
    return ops.where(x <= -1, 0.0, ops.where(x < 1, ops.square(x + 1) * 0.25, x))


# -- squashing functions ------------------------------------------------------------------------
@_export("sigmoid")
def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return ops.sigmoid(x)


@_export("hard_sigmoid")
def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return ops.hard_sigmoid(x)


@_export("sparse_sigmoid")
def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 between -1 and 1, 1 from 1 on."""
    x = _float(x)
    return ops.where(x <= -1, 0.0, ops.where(x >= 1, 1.0, (x + 1) * 0.5))


@_export("log_sigmoid")
def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), computed stably."""
    return ops.log_sigmoid(x)


@_export("hard_silu", "hard_swish")
def hard_silu(x):
    """x * hard_sigmoid(x)."""
    return ops.hard_silu(x)


hard_swish = hard_silu


@_export("tanh")
def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


@_export("hard_tanh")
def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return ops.clip(_float(x), -1.0, 1.0)


@_export("tanh_shrink")
def tanh_shrink(x):
    """x - tanh(x)."""
    x = _float(x)
    return x - ops.tanh(x)


@_export("hard_shrink")
def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    x = _float(x)
    return ops.where(ops.abs(x) > threshold, x, 0.0)


@_export("soft_shrink")
def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold, else 0."""
    x = _float(x)
    return ops.where(x > threshold, x - threshold,
                     ops.where(x < -threshold, x + threshold, 0.0))


@_export("threshold")
def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value``."""
    x = _float(x)
    return ops.where(x > threshold, x, default_value)


@_export("exponential")
def exponential(x):
    """exp(x)."""
    return ops.exp(x)


@_export("linear")
def linear(x):
    """The identity (no activation)."""
    return x


# -- normalised outputs -------------------------------------------------------------------------
@_export("softmax")
def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (an int or a tuple of axes)."""
    return ops.softmax(x, axis=axis)


@_export("log_softmax")
def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``."""
    return ops.log_softmax(x, axis=axis)


@_export("sparsemax")
def sparsemax(x, axis=-1):
    """The Euclidean projection of ``x`` onto the probability simplex along ``axis``: like
    softmax, but exactly zero for low scores."""
    x = _float(x)
    ranked = ops.flip(ops.sort(x, axis=axis), axis=axis)   # descending
    cumulative = ops.cumsum(ranked, axis=axis)
    ax = axis % x.ndim
    k = ops.reshape(ops.arange(1, x.shape[ax] + 1, dtype=x.dtype.name),
                    [-1 if i == ax else 1 for i in range(x.ndim)])
    support = ops.cast(ranked - (cumulative - 1) / k > 0, x.dtype.name)
    count = ops.sum(support, axis=axis, keepdims=True)
    tau = (ops.sum(cumulative * support, axis=axis, keepdims=True) - 1) / count
    return ops.relu(x - tau)


# -- lookup and serialization ---------------------------------------------------------------------
ALL_OBJECTS = (relu, leaky_relu, relu6, softmax, celu, elu, selu, softplus, softsign, squareplus,
               soft_shrink, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, threshold, sigmoid,
               sparse_sigmoid, exponential, hard_sigmoid, hard_silu, hard_tanh, hard_shrink,
               linear, mish, log_softmax, log_sigmoid, sparsemax)
ALL_OBJECTS_DICT = {fn.__name__: fn for fn in ALL_OBJECTS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu

#: The activations (with default arguments) the fused kernels of ``gpukeras.ops.nn`` compute:
#: function -> (kind, alpha), what layers pass to ``nn.bias_add_activation`` to fuse the bias
#: add with the activation.
FUSED_KINDS = {fn: (fn.__name__, alpha) for fn, alpha in (
    (relu, 0.0), (relu6, 0.0), (leaky_relu, 0.2), (elu, 1.0), (selu, 0.0), (gelu, 0.0),
    (silu, 0.0), (softplus, 0.0), (softsign, 0.0), (sigmoid, 0.0), (hard_sigmoid, 0.0),
    (tanh, 0.0), (linear, 0.0), (softmax, 0.0))}
assert {kind for kind, _ in FUSED_KINDS.values()} <= set(_nn.BIAS_ACTIVATIONS)


def serialize(activation):
    """The config of an activation: its name for built-ins, a config dict otherwise."""
    fn_config = _registration.serialize_keras_object(activation)
    if not isinstance(fn_config, dict) or "config" not in fn_config:
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized due "
                         "to invalid function name. Make sure to use an activation name that "
                         "matches the references defined in activations.py or use "
                         "`@keras.saving.register_keras_serializable()` to register any custom "
                         f"activations. config={fn_config}")
    if not isinstance(activation, types.FunctionType):
        return fn_config   # an activation object (a class with get_config)
    if isinstance(fn_config["config"], str) and (
            ALL_OBJECTS_DICT.get(fn_config["config"]) is not activation):
        fn_config["config"] = _registration.get_registered_name(activation)
        return fn_config   # a custom function
    return fn_config["config"]


def deserialize(config, custom_objects=None):
    """The activation a config (a name or a config dict) describes."""
    return _registration.deserialize_keras_object(config, module_objects=ALL_OBJECTS_DICT,
                                                  custom_objects=custom_objects)


def get(identifier):
    """An activation function from None (linear), a name, a config dict or a callable."""
    if identifier is None:
        return linear
    return _registration.lookup_object(identifier, "activation function", ALL_OBJECTS_DICT,
                                       _registration.deserialize_keras_object, instantiate=False)
