"""The Keras 3 loss functions (``keras.losses.mean_squared_error`` ...): per-sample losses.

Each takes ``(y_true, y_pred, ...)`` and returns the loss per sample (usually the mean over the
last axis), without weighting or reduction; the ``Loss`` classes in ``losses.py`` wrap them.
Cross-entropies on logits run through the fused, numerically stable kernels of
``gpukeras.ops.cross_entropy`` (sigmoid / softmax / sparse softmax cross-entropy with logits); on
probabilities they clip to [epsilon, 1 - epsilon] as Keras does.
"""

import warnings

from ...errors import InvalidArgumentError
from ...ops import keras_names as ops
from ...ops import cross_entropy as _ce
from ...ops import nn as _nn
from ...ops.operands import normalize_axis
from .. import backend
from ..saving.object_registration import keras_export
from .loss import squeeze_or_expand_to_same_rank


def _export(*names):
    return keras_export([f"keras.losses.{n}" for n in names])


def _pred_true(y_true, y_pred, match_ranks=False):
    """``y_pred`` as a Tensor (ints become float32) and ``y_true`` cast to its dtype."""
    y_pred = ops.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = ops.cast(y_pred, backend.floatx())
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    if match_ranks:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _epsilon(like):
    return ops.convert_to_tensor(backend.epsilon(), dtype=like.dtype)


def l2_normalize(x, axis=-1):
    """``x / max(||x||, epsilon)`` along ``axis`` (Keras's ``ops.normalize``, order 2)."""
    if x.ndim == 0:
        x = ops.expand_dims(x, axis=0)
    eps = backend.epsilon()
    return _nn.l2_normalize(x, axis=axis, epsilon=eps * eps)


# -- regression -----------------------------------------------------------------------------------
@_export("mean_squared_error", "mse", "MSE")
def mean_squared_error(y_true, y_pred):
    """mean(square(y_true - y_pred), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


@_export("mean_absolute_error", "mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    """mean(abs(y_true - y_pred), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


@_export("mean_absolute_percentage_error", "mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), _epsilon(y_pred)))
    return ops.mean(diff, axis=-1) * 100.0


@_export("mean_squared_logarithmic_error", "msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    """mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    eps = _epsilon(y_pred)
    first_log = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second_log = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first_log - second_log), axis=-1)


@_export("cosine_similarity")
def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for the same direction."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    return -ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


@_export("huber")
def huber(y_true, y_pred, delta=1.0):
    """mean(0.5 * e^2 where |e| <= delta, else delta * |e| - 0.5 * delta^2), e = y_pred - y_true."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    delta = float(delta)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = ops.square(error) * 0.5
    linear = abs_error * delta - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


@_export("log_cosh", "logcosh")
def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed as x + softplus(-2x) - log(2)."""
    y_true, y_pred = _pred_true(y_true, y_pred, match_ranks=True)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(x * -2.0) - 0.6931471805599453, axis=-1)


# -- hinge ----------------------------------------------------------------------------------------
def convert_binary_labels_to_hinge(y_true):
    """Labels in {0, 1} become {-1, 1}; any other labels are kept (decided on the device)."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, y_true * 2.0 - 1.0, y_true)


@_export("hinge")
def hinge(y_true, y_pred):
    """mean(maximum(1 - y_true * y_pred, 0), axis=-1), labels -1/1 (or 0/1, converted)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@_export("squared_hinge")
def squared_hinge(y_true, y_pred):
    """mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@_export("categorical_hinge")
def categorical_hinge(y_true, y_pred):
    """maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) over the last axis."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


# -- probabilistic --------------------------------------------------------------------------------
@_export("kl_divergence", "kld", "KLD", "kullback_leibler_divergence")
def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = ops.clip(y_true, backend.epsilon(), 1.0)
    y_pred = ops.clip(y_pred, backend.epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


@_export("poisson")
def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + _epsilon(y_pred)), axis=-1)


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def _warn_one_class(y_pred, name):
    if y_pred.shape and y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. "
                      "Consider using 'binary_crossentropy' if you only have 2 classes.",
                      SyntaxWarning, stacklevel=3)


def _smooth_categorical(y_true, y_pred, label_smoothing):
    if label_smoothing:
        num_classes = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true


@_export("categorical_crossentropy")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(p), axis) for one-hot (or soft) ``y_true``; ``label_smoothing``
    mixes in the uniform distribution; logits go through the fused softmax cross-entropy."""
    _check_axis(axis)
    y_true, y_pred = _pred_true(y_true, y_pred)
    _warn_one_class(y_pred, "categorical_crossentropy")
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


@_export("categorical_focal_crossentropy")
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """sum(alpha * (1 - p)^gamma * -y_true * log(p), axis): cross-entropy that down-weights
    the classes already predicted well."""
    _check_axis(axis)
    y_true, y_pred = _pred_true(y_true, y_pred)
    _warn_one_class(y_pred, "categorical_focal_crossentropy")
    y_true = _smooth_categorical(y_true, y_pred, label_smoothing)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    output = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    output = ops.clip(output, backend.epsilon(), 1.0 - backend.epsilon())
    cce = -y_true * ops.log(output)
    weighting = ops.multiply(ops.power(1.0 - output, gamma), alpha)
    return ops.sum(ops.multiply(weighting, cce), axis=axis)


@_export("sparse_categorical_crossentropy")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """categorical_crossentropy with integer class labels (int or float); labels equal to
    ``ignore_class`` give 0 loss and are masked out of the average."""
    y_pred = ops.convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = ops.cast(y_pred, backend.floatx())
    y_true = ops.convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.ndim and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if ignore_class is None and y_true.ndim + 1 == y_pred.ndim and axis in (-1, y_true.ndim):
        # The common case as one fused op: the values of the general path below, which also
        # reports mismatched shapes in Keras's words.
        labels = y_true if y_true.dtype.name in ("int32", "int64") else ops.cast(y_true, "int32")
        try:
            if from_logits:
                return _ce.sparse_softmax_cross_entropy_with_logits(labels, y_pred)
            return _ce.sparse_categorical_crossentropy_probs(labels, y_pred)
        except InvalidArgumentError:
            pass
    valid_mask = None
    if ignore_class is not None:
        class_axis = normalize_axis(axis, y_pred.ndim, "sparse_categorical_crossentropy")
        res_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
        valid_mask = ops.not_equal(y_true, ops.cast(ignore_class, y_pred.dtype))
        y_true = ops.where(valid_mask, y_true, ops.cast(0, y_true.dtype))
        y_pred = ops.where(ops.expand_dims(valid_mask, axis), y_pred, 0.0)
    res = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                              axis=axis)
    if valid_mask is not None:
        valid_mask = ops.reshape(valid_mask, res_shape)
        res = ops.where(valid_mask, res, 0.0)
        res._keras_mask = valid_mask
    return res


#: Its labels are class indices: Loss.__call__ passes integer labels through uncast.
sparse_categorical_crossentropy.takes_class_indices = True


def _smooth_binary(y_true, label_smoothing):
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true


@_export("binary_crossentropy", "bce", "BCE")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean(-(y log p + (1 - y) log(1 - p)), axis); ``label_smoothing`` squeezes the labels
    toward 0.5; logits go through the fused, exact sigmoid cross-entropy."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


@_export("binary_focal_crossentropy")
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy times the focal factor (1 - p_t)^gamma, optionally weighted by
    ``alpha`` for class 1 and ``1 - alpha`` for class 0."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1.0 - y_true) * (1.0 - alpha)
        focal_bce = weight * focal_bce
    return ops.mean(focal_bce, axis=axis)


# -- segmentation and similarity ---------------------------------------------------------------------
@_export("dice")
def dice(y_true, y_pred, axis=None):
    """1 - 2 sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon) over ``axis``."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    denominator = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + backend.epsilon()
    return 1.0 - ops.divide(intersection * 2.0, denominator)


@_export("tversky")
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha FP + beta FN + epsilon) over ``axis`` (Dice for alpha = beta = 0.5)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - ops.divide(intersection,
                            intersection + fp * alpha + fn * beta + backend.epsilon())


@_export("circle")
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Circle loss on L2-normalised embeddings ``y_pred`` with integer labels ``y_true``:
    pulls same-label pairs together and pushes the others apart (Sun et al., 2020)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref_embeddings)), 0.0)
    query = ops.reshape(y_true, (-1, 1)) if y_true.ndim == 1 else y_true
    key = ops.reshape(ref_labels, (-1, 1)) if ref_labels.ndim == 1 else ref_labels
    same = ops.equal(query, ops.transpose(key))
    positive = same
    if remove_diagonal:
        eye = ops.eye(ops.size(query), ops.size(key), dtype="bool")
        positive = ops.logical_and(same, ops.logical_not(eye))
    negative = ops.logical_not(same)
    pos_f, neg_f = ops.cast(positive, distances.dtype), ops.cast(negative, distances.dtype)
    pos_weights = ops.maximum((distances + margin) * pos_f, 0.0)
    neg_weights = ops.maximum(((1.0 + margin) - distances) * neg_f, 0.0)
    pos_wdists = pos_weights * ((margin - distances) * -float(gamma))
    neg_wdists = neg_weights * (((1.0 - margin) - distances) * float(gamma))
    p_loss = ops.logsumexp(ops.where(positive, pos_wdists, float("-inf")), axis=1)
    n_loss = ops.logsumexp(ops.where(negative, neg_wdists, float("-inf")), axis=1)
    loss = ops.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss
