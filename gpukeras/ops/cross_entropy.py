"""``tf.nn``'s cross-entropy losses, and Keras's sparse cross-entropy on probabilities.

Each runs as one fused kernel (softmax + cross-entropy and its gradient) that the backend hands
out by name, with the numerically stable from-logits forms; as in ``nn.py``, the VJPs call the
fused backward when no tape records the backward pass and compose differentiable ops when one
does.
"""

import numpy as np

from ..core import tape as _tape
from ..core.tensor import Tensor, wrap
from ..errors import InvalidArgumentError
from .arithmetic import broadcast_like, maximum, minimum
from .nn import (EPSILON, _activation, _along_last, _const, _features, _keep_axis, _kernel,
                 log_softmax, softmax)
from .operands import (binary, differentiable, normalize_axis, numeric, quiet_float_errors,
                       same_device, tensor, xp_of)
from .reduction import reduce_sum

__all__ = ["softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
           "sigmoid_cross_entropy_with_logits", "sparse_categorical_crossentropy_probs"]


@differentiable
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Per-example -sum(labels * log_softmax(logits)) along ``axis`` (labels: probabilities)."""
    op = "softmax_cross_entropy_with_logits"
    lg, lb = binary(logits, labels, op)
    numeric(lg, op, "f")
    try:
        shape = tuple(np.broadcast_shapes(lg._data.shape, lb._data.shape))  # host-side shapes
    except ValueError:
        raise InvalidArgumentError(f"{op}: logits and labels must be broadcastable: logits shape "
                                   f"{tuple(lg._data.shape)}, labels shape "
                                   f"{tuple(lb._data.shape)}", op) from None
    if not shape:
        raise InvalidArgumentError(f"{op}: logits must have at least one dimension (the classes)",
                                   op)
    ax = normalize_axis(axis, len(shape), op)
    lg, lb = broadcast_like(lg, shape), broadcast_like(lb, shape)
    loss, dlogits = _along_last(ax, _kernel(lg, "softmax_cross_entropy"), lg._data, lb._data)
    out = wrap(loss)
    if _tape.RECORDING:
        def vjp(g, needs):
            ge = _keep_axis(g, ax)
            d_labels = d_logits = None
            if needs[0]:
                d_labels = ge * log_softmax(lg, ax) * -1.0
            if needs[1]:
                d = (softmax(lg, ax) - lb) if _tape.RECORDING else Tensor(dlogits)
                d_logits = ge * d
            return d_labels, d_logits
        _tape.record("SoftmaxCrossEntropyWithLogits", (lb, lg), out, vjp)
    return out


def _sparse_labels(labels, features, op, what):
    """Integer class labels with the shape of ``features`` (logits or probabilities) without
    its last axis, on the same device; errors name the op and both shapes."""
    lb = tensor(labels)
    if lb._data.dtype.kind not in "iu":
        raise TypeError(f"{op}: labels must be an integer (int32 or int64) tensor, got "
                        f"{lb.dtype.name}")
    same_device(op, features, lb)
    if features.ndim == 0 or lb._data.shape != features._data.shape[:-1]:
        raise InvalidArgumentError(
            f"{op}: labels.shape must equal {what}.shape except for the last dimension, got "
            f"labels.shape={tuple(lb._data.shape)} and {what}.shape="
            f"{tuple(features._data.shape)}", op)
    return lb


@differentiable
def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """Per-example -log_softmax(logits)[label] for integer class ``labels`` (classes: last axis)."""
    op = "sparse_softmax_cross_entropy_with_logits"
    lg = _features(logits, op)
    lb = _sparse_labels(labels, lg, op, "logits")
    try:
        loss, dlogits = _kernel(lg, "sparse_softmax_cross_entropy")(lg._data, lb._data)
    except ValueError as exc:
        raise InvalidArgumentError(f"{op}: {exc}", op) from None
    out = wrap(loss)
    if _tape.RECORDING:
        def vjp(g, needs):
            if not needs[1]:
                return None, None
            if _tape.RECORDING:
                xp = xp_of(lg)
                classes = xp.arange(lg._data.shape[-1], dtype=lb._data.dtype)
                d = softmax(lg) - _const(lg, lb._data[..., None] == classes)
            else:
                d = Tensor(dlogits)
            return None, _keep_axis(g, -1 % lg.ndim) * d
        _tape.record("SparseSoftmaxCrossEntropyWithLogits", (lb, lg), out, vjp)
    return out


@differentiable
def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Per-element logistic loss max(x, 0) - x z + log(1 + exp(-|x|)) of logits x, labels z."""
    op = "sigmoid_cross_entropy_with_logits"
    if labels is None or logits is None:
        raise ValueError(f"{op}: both labels and logits must be given")
    lg, lb = binary(logits, labels, op)
    numeric(lg, op, "f")
    if lg._data.shape != lb._data.shape:
        raise InvalidArgumentError(f"{op}: logits and labels must have the same shape, got "
                                   f"logits {tuple(lg._data.shape)} and labels "
                                   f"{tuple(lb._data.shape)}", op)
    x, z = lg._data, lb._data
    act = _kernel(lg, "activation_forward")
    out = wrap(act("softplus", x, 0.0) - x * z)  # softplus(x) = max(x, 0) + log1p(exp(-|x|))
    if _tape.RECORDING:
        def vjp(g, needs):
            d_labels = g * lg * -1.0 if needs[0] else None
            d_logits = None
            if needs[1]:
                if _tape.RECORDING:
                    d_logits = g * (_activation("sigmoid", lg) - lb)
                else:
                    d_logits = Tensor(g._data * (act("sigmoid", x, 0.0) - z))
            return d_labels, d_logits
        _tape.record("SigmoidCrossEntropyWithLogits", (lb, lg), out, vjp)
    return out


@differentiable
def sparse_categorical_crossentropy_probs(labels, probs, epsilon=EPSILON):
    """Per-row ``-log(clip(probs[label] / sum(probs), epsilon, 1 - epsilon))``, classes last.

    Keras's sparse cross-entropy on probabilities (a softmax output) as ONE op, so a training
    step records one op instead of about ten (rescale, clip, log, one-hot, multiply, sum,
    negate): the same values and gradients as that composition, 0 for labels outside
    ``[0, classes)``.
    """
    op = "sparse_categorical_crossentropy"
    p = _features(probs, op)
    lb = _sparse_labels(labels, p, op, "probs")
    xp, data = xp_of(p), p._data
    dt = data.dtype
    lo, hi = dt.type(epsilon), dt.type(1.0 - epsilon)
    hot = (lb._data[..., None] == xp.arange(data.shape[-1], dtype=lb._data.dtype)).astype(dt)
    with quiet_float_errors(p):
        total = xp.sum(data, axis=-1, keepdims=True, dtype=dt)
        q = data / total
        above = xp.maximum(q, lo)
        clipped = xp.minimum(above, hi)
        out = wrap(-xp.sum(hot * xp.log(clipped), axis=-1, dtype=dt))
    if _tape.RECORDING:
        def vjp(g, needs):
            if not needs[1]:
                return None, None
            passed = (q >= lo) & (above <= hi)   # where the clip let the gradient through
            if _tape.RECORDING:   # a tape records this backward pass: differentiable ops
                s_t = reduce_sum(p, -1, keepdims=True)
                q_t = p / s_t
                g_q = (_keep_axis(-g, -1 % p.ndim) * _const(p, hot * passed)
                       / minimum(maximum(q_t, lo), hi))
                g_p = g_q / s_t
                return None, g_p - reduce_sum(g_p * q_t, -1, keepdims=True)
            with quiet_float_errors(p):
                g_q = (-g._data)[..., None] * hot / clipped * passed
                g_p = g_q / total
                return None, Tensor(g_p + xp.sum(-g_p * q, axis=-1, keepdims=True))
        _tape.record("SparseCategoricalCrossentropy", (lb, p), out, vjp)
    return out
