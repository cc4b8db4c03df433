"""``tf.nn`` ops: activations, softmax, moments, l2_normalize, dropout, bias_add (the
cross-entropy losses are in ``cross_entropy.py``).

Activations and softmax run as fused kernels that the backend hands
out by name (CUDA on a GPU, the NumPy twins of ``gpukeras.kernels.twins`` on the CPU). Their
VJPs call the fused backward kernel when no tape records the backward pass (plain first-order
training), and compose differentiable gpukeras ops when one does, so nested tapes give
higher-order gradients.
"""

import math

from .. import backends
from ..core import tape as _tape
from ..core.tape import stop_gradient
from ..core.tensor import Tensor, is_tensor, wrap
from ..errors import InvalidArgumentError
from .arithmetic import cast, maximum, multiply
from .arithmetic import pow as _pow
from .operands import (backend_of, binary, differentiable, normalize_axes, normalize_axis,
                       numeric, same_device, static_ints, tensor, xp_of)
from .random import op_generator
from .reduction import reduce_sum
from .shape_ops import reshape as _reshape

__all__ = ['relu', 'relu6', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'swish', 'softplus',
           'softsign', 'hard_sigmoid', 'softmax', 'log_softmax', 'l2_normalize', 'moments',
           'dropout', 'bias_add']

#: Keras's ``backend.epsilon()``: the clipping margin of the cross-entropies on probabilities.
EPSILON = 1e-7

#: The activation names the fused kernels understand (``activation(features, kind)``).
ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu",
               "softplus", "softsign", "sigmoid", "hard_sigmoid", "tanh", "linear")
#: The activations ``bias_add_activation`` fuses with the bias add: those, and softmax.
BIAS_ACTIVATIONS = ACTIVATIONS + ("softmax",)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715
_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# -- helpers ------------------------------------------------------------------------------------
def _features(x, op, ints=False):
    """``x`` as a Tensor of a float dtype (or integer, where the op allows it)."""
    return numeric(tensor(x), op, "iuf" if ints else "f")


def _const(like, array):
    """A constant (untracked) tensor holding ``array`` in the dtype of ``like``."""
    return Tensor(array.astype(like._data.dtype, copy=False))


def _kernel(t, name):
    return backend_of(t).kernel(name)


def _keep_axis(g, ax):
    """``g`` with a size-1 axis inserted at ``ax`` (to broadcast a per-row gradient)."""
    shape = list(g._data.shape)
    shape.insert(ax, 1)
    return _reshape(g, shape)


def _along_last(ax, fn, *arrays):
    """``fn(*arrays)`` computed with axis ``ax`` moved last, its results moved back."""
    if ax == arrays[0].ndim - 1:
        return fn(*arrays)
    xp = backends.backend_of(arrays[0]).xp
    out = fn(*(xp.moveaxis(a, ax, -1) for a in arrays))
    if isinstance(out, tuple):
        return tuple(xp.moveaxis(o, -1, ax) if o.ndim == arrays[0].ndim else o for o in out)
    return xp.moveaxis(out, -1, ax)


# -- the normal distribution (for GELU's higher-order gradients) -----------------------------
def _normal_pdf(x):
    """phi(x) = exp(-x^2 / 2) / sqrt(2 pi); differentiable to any order."""
    xp = xp_of(x)
    xc = xp.clip(x._data, -40.0, 40.0)
    out = wrap(xp.exp(xc * xc * -0.5) * _INV_SQRT_2PI)
    if _tape.RECORDING:
        _tape.record("NormalPdf", (x,), out, lambda g, needs: (g * (x * out) * -1.0,))
    return out


def _normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 through the erf kernel; its VJP is g * phi(x)."""
    out = wrap((_kernel(x, "erf")(x._data * _SQRT1_2) + 1) * 0.5)
    if _tape.RECORDING:
        _tape.record("NormalCdf", (x,), out, lambda g, needs: (g * _normal_pdf(x),))
    return out


# -- activations: one fused forward, a fused or composed backward --------------------------------
def _activation(act, x, alpha=0.0):
    """act(x) through the ``activation_forward`` kernel, recording its VJP."""
    out = wrap(_kernel(x, "activation_forward")(act, x._data, alpha))
    if _tape.RECORDING:
        _tape.record(act.title().replace("_", ""), (x,), out,
                     lambda g, needs: (_activation_grad(act, g, x, out, alpha),))
    return out


def _activation_grad(act, g, x, y, alpha):
    """g * act'(x): the fused kernel, or differentiable ops when a tape records this."""
    if not _tape.RECORDING:
        return Tensor(_kernel(g, "activation_backward")(act, g._data, x._data, y._data, alpha))
    return _COMPOSED_GRADS[act](g, x, y, alpha)


def _mask(x, cond):
    return _const(x, cond)


def _d_gelu_tanh(g, x, y, a):
    s = _activation("sigmoid", (x + x * x * x * _GELU_K) * (2.0 * _GELU_C))
    return g * (s + x * s * (1 - s) * ((x * x * (3 * _GELU_K) + 1) * (2.0 * _GELU_C)))


def _d_silu(g, x, y, a):
    s = _activation("sigmoid", x)
    return g * (s * (x * (1 - s) + 1))


def _d_softsign(g, x, y, a):
    d = x * _const(x, xp_of(x).sign(x._data)) + 1
    return g / (d * d)


_COMPOSED_GRADS = {
    "relu": lambda g, x, y, a: g * _mask(x, x._data > 0),
    "relu6": lambda g, x, y, a: g * _mask(x, (x._data > 0) & (x._data < 6)),
    "leaky_relu": lambda g, x, y, a: g * _const(x, xp_of(x).where(x._data > 0, 1.0, a)),
    "elu": lambda g, x, y, a: g * (_mask(x, x._data >= 0) + _mask(x, x._data < 0) * (y + a)),
    "selu": lambda g, x, y, a: g * (_mask(x, x._data >= 0) * SELU_SCALE
                                    + _mask(x, x._data < 0) * (y + SELU_SCALE * SELU_ALPHA)),
    "gelu": lambda g, x, y, a: g * (_normal_cdf(x) + x * _normal_pdf(x)),
    "gelu_tanh": _d_gelu_tanh,
    "silu": _d_silu,
    "softplus": lambda g, x, y, a: g * _activation("sigmoid", x),
    "softsign": _d_softsign,
    "sigmoid": lambda g, x, y, a: g * (y * (1 - y)),
    "hard_sigmoid": lambda g, x, y, a: g * _const(x, ((x._data > -3) & (x._data < 3)) / 6.0),
    "tanh": lambda g, x, y, a: g * (1 - y * y),
    "linear": lambda g, x, y, a: g,
}


@differentiable
def activation(features, kind, alpha=0.0):
    """The activation ``kind`` (one of ``ACTIVATIONS``) through the fused kernel.

    ``alpha`` is the leaky_relu slope or the elu alpha. This is the entry point Keras
    activations and layers use; the named ops below are TensorFlow's spellings of it.
    """
    if kind not in ACTIVATIONS:
        raise ValueError(f"unknown activation {kind!r}; expected one of {', '.join(ACTIVATIONS)}")
    return _activation(kind, _features(features, kind), float(alpha))


@differentiable
def relu(features, name=None):
    """max(features, 0) elementwise (integer tensors too)."""
    x = _features(features, "relu", ints=True)
    if x._data.dtype.kind in "iu":
        return wrap(xp_of(x).maximum(x._data, 0))
    return _activation("relu", x)


@differentiable
def relu6(features, name=None):
    """min(max(features, 0), 6) elementwise (integer tensors too)."""
    x = _features(features, "relu6", ints=True)
    if x._data.dtype.kind in "iu":
        xp = xp_of(x)
        return wrap(xp.minimum(xp.maximum(x._data, 0), 6))
    return _activation("relu6", x)


@differentiable
def leaky_relu(features, alpha=0.2, name=None):
    """features where positive, alpha * features elsewhere (integers become float32, as in TF)."""
    x = _features(features, "leaky_relu", ints=True)
    if x._data.dtype.kind in "iu":
        x = cast(x, "float32")
    return _activation("leaky_relu", x, float(alpha))


@differentiable
def elu(features, name=None):
    """Exponential linear unit: x where x > 0, exp(x) - 1 elsewhere."""
    return _activation("elu", _features(features, "elu"), 1.0)


@differentiable
def selu(features, name=None):
    """Scaled ELU: scale * (x if x > 0 else alpha * (exp(x) - 1)), self-normalising constants."""
    return _activation("selu", _features(features, "selu"))


@differentiable
def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit x * Phi(x); ``approximate`` uses the tanh formula."""
    return _activation("gelu_tanh" if approximate else "gelu", _features(features, "gelu"))


@differentiable
def silu(features, beta=1.0, name=None):
    """Sigmoid linear unit (swish): features * sigmoid(beta * features)."""
    x = _features(features, "silu")
    if not is_tensor(beta) and float(beta) == 1.0:
        return _activation("silu", x)
    return x * _activation("sigmoid", multiply(x, beta))


swish = silu


@differentiable
def softplus(features, name=None):
    """log(exp(features) + 1), computed without overflow."""
    return _activation("softplus", _features(features, "softplus"))


@differentiable
def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return _activation("softsign", _features(features, "softsign"))


@differentiable
def hard_sigmoid(x, name=None):
    """Piecewise-linear sigmoid, Keras 3's ``relu6(x + 3) / 6`` (0 below -3, 1 above 3)."""
    return _activation("hard_sigmoid", _features(x, "hard_sigmoid"))


#: Activations whose backward kernel gets act'(x) exactly from the output y alone (y has the
#: sign pattern of x), so the fused bias + activation op keeps no pre-activation array.
_GRAD_FROM_Y = frozenset({"relu", "relu6", "selu", "sigmoid", "tanh", "linear"})


def _grad_from_y(act, alpha):
    return act in _GRAD_FROM_Y or (act == "leaky_relu" and alpha >= 0) or (
        act == "elu" and alpha > 0)


@differentiable
def bias_add_activation(value, bias, activation="linear", alpha=0.0):
    """act(value + bias) with ``bias`` along the last axis: ONE op, taped or not.

    ``activation`` is one of ``BIAS_ACTIVATIONS``: the fused kernels' kinds, or "softmax"
    (over the last axis, a classifier's output layer).

    What Dense and convolution layers call. It exists so that a training step costs one forward
    launch (the fused bias + activation kernel) and one backward launch (the fused activation
    gradient) per layer, with one tape record instead of two.
    """
    v, b = _bias_operands(value, bias, "bias_add_activation", channels_first=False)
    if activation not in BIAS_ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of "
                         f"{', '.join(BIAS_ACTIVATIONS)}")
    numeric(v, "bias_add_activation", "f")
    if activation == "softmax":
        return _bias_add_softmax(v, b)
    alpha = float(alpha)
    fused = _kernel(v, "bias_activation_forward")
    if not _tape.RECORDING:
        return wrap(fused(activation, v._data, b._data, alpha))
    if _grad_from_y(activation, alpha):
        x = None
        out = wrap(fused(activation, v._data, b._data, alpha))
    else:   # gelu, silu, softplus ...: the gradient needs the pre-activation x = value + bias
        x = fused("linear", v._data, b._data, 0.0)
        out = wrap(_kernel(v, "activation_forward")(activation, x, alpha))
    rows = tuple(range(v.ndim - 1))

    def vjp(g, needs):
        if _tape.RECORDING:   # a tape records this backward pass: differentiable ops
            dx = _COMPOSED_GRADS[activation](g, bias_add(v, b), out, alpha)
            return dx if needs[0] else None, reduce_sum(dx, rows) if needs[1] else None
        dx = _kernel(g, "activation_backward")(activation, g._data, x, out._data, alpha)
        return Tensor(dx) if needs[0] else None, _bias_grad(dx, rows) if needs[1] else None
    _tape.record("BiasAddActivation", (v, b), out, vjp)
    return out


def _bias_grad(dx, rows):
    """The bias gradient: the array ``dx`` summed over its ``rows`` axes (a first-order VJP)."""
    return Tensor(backends.backend_of(dx).xp.sum(dx, axis=rows, dtype=dx.dtype))


# -- softmax ------------------------------------------------------------------------------------
def _bias_add_softmax(v, b):
    """softmax(v + b) over the last axis, taped as ONE op (its VJP: the fused softmax backward)."""
    z = _kernel(v, "bias_activation_forward")("linear", v._data, b._data, 0.0)
    out = wrap(_kernel(v, "softmax_forward")(z, False))
    if _tape.RECORDING:
        rows = tuple(range(v.ndim - 1))

        def vjp(g, needs):
            dz = _softmax_grad(g, None, out, v.ndim - 1, False)   # softmax's needs only y
            if _tape.RECORDING:
                return dz if needs[0] else None, reduce_sum(dz, rows) if needs[1] else None
            return dz if needs[0] else None, _bias_grad(dz._data, rows) if needs[1] else None
        _tape.record("BiasAddSoftmax", (v, b), out, vjp)
    return out


def _softmax(logits, axis, log, op):
    x = _features(logits, op)
    if x.ndim == 0:
        raise InvalidArgumentError(f"{op}: logits must have at least one dimension, got a scalar",
                                   op)
    ax = normalize_axis(-1 if axis is None else axis, x.ndim, op)
    kernel = _kernel(x, "softmax_forward")
    out = wrap(_along_last(ax, lambda d: kernel(d, log), x._data))
    if _tape.RECORDING:
        _tape.record("LogSoftmax" if log else "Softmax", (x,), out,
                     lambda g, needs: (_softmax_grad(g, x, out, ax, log),))
    return out


def _softmax_grad(g, x, y, ax, log):
    if not _tape.RECORDING:
        kernel = _kernel(g, "softmax_backward")
        return Tensor(_along_last(ax, lambda gg, yy: kernel(gg, yy, log), g._data, y._data))
    if log:
        return g - softmax(x, ax) * reduce_sum(g, ax, keepdims=True)
    return y * (g - reduce_sum(g * y, ax, keepdims=True))


@differentiable
def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits)) along ``axis`` (the last by default), max-shifted."""
    return _softmax(logits, axis, False, "softmax")


@differentiable
def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits))) along ``axis`` (the last by default), computed stably."""
    return _softmax(logits, axis, True, "log_softmax")


# -- normalisation helpers -------------------------------------------------------------------
@differentiable
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon)): unit L2 norm along ``axis`` (all axes if None)."""
    t = _features(x, "l2_normalize")
    axes = normalize_axes(dim if axis is None else axis, t.ndim, "l2_normalize")
    square_sum = reduce_sum(t * t, axes, keepdims=True)
    return t * _pow(maximum(square_sum, float(epsilon)), -0.5)


@differentiable
def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of ``x`` over ``axes`` (population variance, as tf.nn.moments).

    float16 inputs are reduced in float32 and the results cast back, like TensorFlow.
    """
    t = _features(x, "moments")
    half = t._data.dtype.itemsize < 4
    y = cast(t, "float32") if half else t
    axes = normalize_axes(axes, t.ndim, "moments")
    n = 1
    for a in axes:
        n *= t._data.shape[a]
    scale = 1.0 / n if n else math.nan
    mean = reduce_sum(y, axes, keepdims=True) * scale
    centered = y - stop_gradient(mean)
    variance = reduce_sum(centered * centered, axes, keepdims=keepdims) * scale
    if not keepdims:
        mean = _reshape(mean, variance._data.shape)
    if half:
        mean, variance = cast(mean, t.dtype), cast(variance, t.dtype)
    return mean, variance


# -- dropout --------------------------------------------------------------------------------------
def _noise_shape(noise_shape, shape):
    if noise_shape is None:
        return tuple(shape)
    dims = list(noise_shape.numpy().tolist() if hasattr(noise_shape, "numpy") else noise_shape)
    if len(dims) == len(shape):
        dims = [shape[i] if d is None else d for i, d in enumerate(dims)]
    dims = static_ints(dims, "dropout", "noise_shape")
    ok = len(dims) <= len(shape) and all(
        d in (1, s) for d, s in zip(dims[::-1], tuple(shape)[::-1]))
    if not ok:
        raise InvalidArgumentError(f"dropout: noise_shape {list(dims)} does not broadcast to the "
                                   f"shape of x, {tuple(shape)}", "dropout")
    return dims


@differentiable
def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zero each element with probability ``rate`` and scale the rest by 1 / (1 - rate)."""
    t = tensor(x)
    if t._data.dtype.kind != "f":
        raise ValueError(f"dropout: x must be a floating point tensor since it is scaled, got "
                         f"{t.dtype.name}")
    rate_is_tensor = is_tensor(rate)
    if not rate_is_tensor:
        rate = float(rate)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout: rate must be a scalar tensor or a float in the range "
                             f"[0, 1), got {rate}")
        if rate == 0.0:
            return t
    shape = _noise_shape(noise_shape, t._data.shape)
    backend = backend_of(t)
    xp = backend.xp
    dtype = t._data.dtype if t._data.dtype.itemsize >= 4 else xp.float32
    uniform = op_generator(backend, seed, "nn.dropout").random(shape, dtype=dtype)
    if rate_is_tensor:
        r = tensor(rate)
        same_device("dropout", t, r)
        r = r._data.astype(dtype)
        mask = (uniform >= r).astype(t._data.dtype) * (1 / (1 - r)).astype(t._data.dtype)
    else:
        mask = (uniform >= rate).astype(t._data.dtype) * (1.0 / (1.0 - rate))
    return multiply(t, Tensor(mask))


# -- bias_add -------------------------------------------------------------------------------------
def _channels_first(data_format, op):
    if data_format is None:
        return False
    fmt = str(data_format).upper()
    if fmt.startswith("NC"):
        return True
    if fmt.startswith("N") and fmt.endswith("C"):
        return False
    raise ValueError(f"{op}: data_format must be 'N...C' (channels last, e.g. 'NHWC') or 'NC...' "
                     f"(channels first, e.g. 'NCHW'), got {data_format!r}")


def _bias_operands(value, bias, op, channels_first):
    v, b = binary(value, bias, op)
    numeric(v, op)
    if b.ndim != 1:
        raise InvalidArgumentError(f"{op}: bias must be 1-D, got bias of shape "
                                   f"{tuple(b._data.shape)} for value of shape "
                                   f"{tuple(v._data.shape)}", op)
    if v.ndim < 2:
        raise InvalidArgumentError(f"{op}: value must be at least 2-D, got shape "
                                   f"{tuple(v._data.shape)}", op)
    axis = 1 if channels_first else v.ndim - 1
    if v._data.shape[axis] != b._data.shape[0]:
        where = "axis 1 (channels first)" if channels_first else "the last axis"
        raise InvalidArgumentError(f"{op}: bias of shape {tuple(b._data.shape)} must match "
                                   f"{where} of value of shape {tuple(v._data.shape)}", op)
    return v, b


@differentiable
def bias_add(value, bias, data_format=None, name=None):
    """value + bias, with the 1-D ``bias`` along the channel axis (last, or 1 for 'NC...')."""
    first = _channels_first(data_format, "bias_add")
    v, b = _bias_operands(value, bias, "bias_add", first)
    axis = 1 if first else v.ndim - 1
    if first:
        out = wrap(v._data + b._data.reshape((-1,) + (1,) * (v.ndim - 2)))
    elif v._data.dtype.kind == "f":
        out = wrap(_kernel(v, "bias_activation_forward")("linear", v._data, b._data, 0.0))
    else:
        out = wrap(v._data + b._data)
    if _tape.RECORDING:
        others = tuple(i for i in range(v.ndim) if i != axis)
        _tape.record("BiasAdd", (v, b), out, lambda g, needs: (
            g if needs[0] else None, reduce_sum(g, others) if needs[1] else None))
    return out
