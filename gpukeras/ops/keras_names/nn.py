"""The Keras neural-network ops: activations, ``softmax`` / ``log_softmax`` and the
cross-entropies (Keras's clipping of probabilities to [epsilon, 1 - epsilon])."""

from .. import arithmetic as _ar, creation as _cr, cross_entropy as _ce, elementwise as _el
from .. import nn as _nn
from .. import reduction as _rd, shape_ops as _sh
from ..operands import normalize_axis as _axis
from .conversion import shape
from .math import clip
from .promotion import EPSILON, flat, floating, integer, on_floating, tensor_of

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "softplus",
           "softsign", "sigmoid", "log_sigmoid", "hard_sigmoid", "hard_silu", "hard_swish",
           "softmax", "log_softmax", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "binary_crossentropy"]


# -- activations --------------------------------------------------------------------------------
def _activation(name, fn, what):
    return on_floating(name, fn, f"{what} (integer inputs give float32).")


sigmoid = _activation("sigmoid", _el.sigmoid, "1 / (1 + exp(-x))")
softplus = _activation("softplus", _nn.softplus, "log(1 + exp(x)), computed stably")
softsign = _activation("softsign", _nn.softsign, "x / (1 + |x|)")
silu = _activation("silu", _nn.silu, "x * sigmoid(x)")
swish = silu
selu = _activation("selu", _nn.selu, "Scaled exponential linear unit")
hard_sigmoid = _activation("hard_sigmoid", _nn.hard_sigmoid, "relu6(x + 3) / 6")


def relu(x):
    """max(x, 0) elementwise (integer and bool tensors keep their dtype)."""
    t = tensor_of(x)
    return t if t.dtype.is_bool else _nn.relu(t)


def relu6(x):
    """min(max(x, 0), 6) elementwise (integer and bool tensors keep their dtype)."""
    t = tensor_of(x)
    return t if t.dtype.is_bool else _nn.relu6(t)


def leaky_relu(x, negative_slope=0.2):
    """x where positive, ``negative_slope * x`` elsewhere."""
    return _nn.leaky_relu(floating(x), alpha=negative_slope)


def elu(x, alpha=1.0):
    """x where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return _nn.activation(floating(x), "elu", alpha)


def gelu(x, approximate=True):
    """Gaussian error linear unit; Keras's default is the tanh approximation."""
    return _nn.gelu(floating(x), approximate=approximate)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), computed stably."""
    return -_nn.softplus(-floating(x))


def hard_silu(x):
    """x * hard_sigmoid(x)."""
    t = floating(x)
    return t * _nn.hard_sigmoid(t)


hard_swish = hard_silu


# -- softmax ------------------------------------------------------------------------------------
def _softmax(fn, x, axis, log):
    t = floating(x)
    if axis is None:  # over all the elements
        return _sh.reshape(fn(flat(t), 0), t._data.shape)
    if isinstance(axis, (list, tuple)):
        shifted = t - _rd.reduce_logsumexp(t, list(axis), keepdims=True)
        return shifted if log else _el.exp(shifted)
    return fn(t, axis)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (an int, a tuple of axes, or None: all axes)."""
    return _softmax(_nn.softmax, x, axis, False)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis`` (an int, a tuple of axes, or None: all axes)."""
    return _softmax(_nn.log_softmax, x, axis, True)


# -- cross-entropies ----------------------------------------------------------------------------
def _loss_operands(target, output, op):
    out = floating(output)
    tgt = _ar.cast(tensor_of(target), out.dtype)
    if tgt._data.shape != out._data.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={shape(tgt)}, output.shape={shape(out)}")
    return tgt, out


def _log_probabilities(output, axis):
    """log of ``output`` rescaled to sum to one along ``axis`` and clipped to [eps, 1 - eps]."""
    p = output / _rd.reduce_sum(output, axis, keepdims=True)
    return _el.log(clip(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(output)) along ``axis``; ``output`` holds probabilities (rescaled to
    sum to one, clipped to [1e-7, 1 - 1e-7]) or logits."""
    tgt, out = _loss_operands(target, output, "categorical_crossentropy")
    if out.ndim < 1:
        raise ValueError("categorical_crossentropy: target and output must be at least rank 1")
    if from_logits:
        return _ce.softmax_cross_entropy_with_logits(tgt, out, axis=axis)
    return -_rd.reduce_sum(tgt * _log_probabilities(out, axis), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """categorical_crossentropy with integer class ``target`` (a trailing size-1 axis is
    dropped)."""
    out = floating(output)
    tgt = integer(target)
    if tgt.ndim == out.ndim and tgt.ndim and tgt._data.shape[-1] == 1:
        tgt = _sh.squeeze(tgt, -1)
    if out.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: output must be at least rank 1")
    a = _axis(axis, out.ndim, "sparse_categorical_crossentropy")
    if tgt._data.shape != out._data.shape[:a] + out._data.shape[a + 1:]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until "
                         f"the last dimension: target.shape={shape(tgt)}, "
                         f"output.shape={shape(out)}")
    if from_logits and a == out.ndim - 1:
        return _ce.sparse_softmax_cross_entropy_with_logits(tgt, out)
    log_prob = _nn.log_softmax(out, a) if from_logits else _log_probabilities(out, a)
    hot = _cr.one_hot(tgt, out._data.shape[a], axis=a, dtype=out.dtype)
    return -_rd.reduce_sum(hot * log_prob, a)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise -(t log(p) + (1 - t) log(1 - p)); probabilities are clipped to
    [1e-7, 1 - 1e-7], logits go through the exact sigmoid cross-entropy."""
    tgt, out = _loss_operands(target, output, "binary_crossentropy")
    if from_logits:
        return _ce.sigmoid_cross_entropy_with_logits(labels=tgt, logits=out)
    p = clip(out, EPSILON, 1.0 - EPSILON)
    return -(tgt * _el.log(p) + (1.0 - tgt) * _el.log(1.0 - p))
