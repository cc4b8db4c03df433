"""The Keras 3 ``Loss`` base class, ``LossFunctionWrapper`` and the reduction of per-sample losses.

``Loss.__call__(y_true, y_pred, sample_weight=None)`` converts both inputs to the loss's dtype,
computes the per-sample losses with ``call``, folds masks (``y_pred._keras_mask`` and a mask the
losses carry) into the sample weights, and reduces as ``reduction`` says:

- ``"sum_over_batch_size"`` (default) and ``"mean"``: the weighted sum over all elements divided
  by their count (with a mask: by the number of unmasked elements);
- ``"sum"``: the weighted sum;
- ``"mean_with_sample_weight"``: the weighted sum divided by the sum of the weights;
- ``"none"`` or ``None``: the weighted per-sample losses.

Everything is composed of differentiable gpukeras ops, so gradients reach ``y_pred`` (and the
weights) through the ops' own VJPs. Keras 3 also reuses the logits it remembers on the output
of a softmax/sigmoid layer (``_keras_logits``); gpukeras tensors carry no such slot, so a
probability output is clipped to [epsilon, 1 - epsilon] like every other probability.
"""

from ...core.tensor import Tensor
from ...ops import keras_names as ops
from .. import backend
from ..saving.object_registration import keras_export
from ..symbolic import map_structure

#: The reductions Keras 3.15 accepts (``None`` means "none").
REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


@keras_export(["keras.Loss", "keras.losses.Loss"])
class Loss:
    """Base class of losses: subclasses implement ``call(y_true, y_pred)`` returning per-sample
    losses; ``__call__`` applies sample weights, masks and the reduction."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or backend.unique_name(backend.to_snake_case(self.__class__.__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = _compute_dtype(dtype)

    @property
    def dtype(self):
        """The dtype the loss computes in (``keras.backend.floatx()`` unless given)."""
        return self._dtype

    #: True for losses whose labels are class indices (the sparse cross-entropies): integer
    #: labels reach ``call`` as they are, where Keras casts them to the loss dtype and the loss
    #: casts them straight back (two passes over the labels that change nothing).
    _integer_labels = False

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)
        dtype = self.dtype
        y_pred = map_structure(lambda x: _to_dtype(x, dtype), _as_structure(y_pred))
        if self._integer_labels:
            y_true = map_structure(lambda x: x if _is_integer_tensor(x) else _to_dtype(x, dtype),
                                   _as_structure(y_true))
        else:
            y_true = map_structure(lambda x: _to_dtype(x, dtype), _as_structure(y_true))
        losses = self.call(y_true, y_pred)
        out_mask = getattr(losses, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype)

    def call(self, y_true, y_pred):
        """The per-sample losses (override in subclasses)."""
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _obj_type(self):
        return "Loss"


def _compute_dtype(dtype):
    """The compute dtype name of ``dtype``: a dtype, a policy name ("mixed_float16"), a policy
    object (its ``compute_dtype``) or a policy config dict; None means floatx."""
    if isinstance(dtype, dict):
        dtype = (dtype.get("config") or {}).get("name")
    if dtype is not None and not isinstance(dtype, str) and hasattr(dtype, "compute_dtype"):
        dtype = dtype.compute_dtype
    if dtype is None:
        return backend.floatx()
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_"):]
    return backend.standardize_dtype(dtype)


def _as_structure(x):
    """``x`` itself when it is a nest of tensors (a dict, or a list/tuple holding tensors or
    arrays); plain nested lists of numbers are one array and come back as a tensor."""
    if isinstance(x, dict):
        return x
    if isinstance(x, (list, tuple)) and any(
            isinstance(v, (dict, list, tuple)) and _is_nest(v) or _is_array(v) for v in x):
        return list(x) if isinstance(x, list) else tuple(x)
    return ops.convert_to_tensor(x) if isinstance(x, (list, tuple)) else x


def _is_nest(x):
    if isinstance(x, dict):
        return True
    return isinstance(x, (list, tuple)) and any(_is_array(v) or (
        isinstance(v, (dict, list, tuple)) and _is_nest(v)) for v in x)


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _is_integer_tensor(x):
    return type(x) is Tensor and x.dtype.is_integer


def _to_dtype(x, dtype):
    """``ops.convert_to_tensor(x, dtype)``; a tensor of that dtype comes back as it is."""
    if type(x) is Tensor and x.dtype.name == dtype:
        return x
    return ops.convert_to_tensor(x, dtype=dtype)


def _rank(x):
    ndim = getattr(x, "ndim", None)
    return len(x.shape) if ndim is None else ndim


def standardize_reduction(reduction):
    """``reduction`` checked against Keras 3's values (tf.keras's "auto" means the default)."""
    if reduction == "auto":   # tf.keras 2's Reduction.AUTO: sum over batch size outside tf.distribute
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """``x1`` and ``x2`` with a trailing size-1 axis dropped (or, for rank 1, added) when their
    ranks differ by exactly one."""
    r1, r2 = _rank(x1), _rank(x2)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """The (already weighted) ``values`` summed, or averaged as ``reduction`` says."""
    shape = tuple(values.shape)
    if reduction is None or reduction == "none" or shape in ((), (0,)):
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        loss = ops.sum(values)
        return ops.divide_no_nan(loss, ops.cast(ops.sum(sample_weight), loss.dtype))
    if 0 in shape:   # an empty batch sums to 0, which divide_no_nan would keep
        return ops.sum(values)
    return ops.mean(values)   # the sum over the number of elements, as one op


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """``values`` times the sample weights (merged with ``mask``), then reduced."""
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values) if dtype is None else _to_dtype(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    if mask is not None:
        mask = ops.convert_to_tensor(mask)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def apply_mask(sample_weight, mask, dtype, reduction):
    """``sample_weight`` with ``mask`` folded in: masked entries weigh 0, and for the averaging
    reductions the others weigh total / valid so the average runs over unmasked entries only."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = 1
        for d in mask.shape:
            total *= d
        valid = ops.sum(ops.cast(mask, dtype))   # may be 0
        mask_weight = ops.divide_no_nan(ops.cast(total, dtype), valid)
        float_mask = ops.where(ops.cast(mask, "bool"), mask_weight, 0.0)
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = ops.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


# Keras 3 saves it under its source module (it is not public API); same here, so files match.
@keras_export("keras.src.losses.losses.LossFunctionWrapper")
class LossFunctionWrapper(Loss):
    """A ``Loss`` computing ``fn(y_true, y_pred, **kwargs)`` after matching the ranks of the
    two (a trailing size-1 axis dropped or added)."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._integer_labels = getattr(fn, "takes_class_indices", False)

    def call(self, y_true, y_pred):
        if isinstance(y_true, (list, tuple, dict)) or isinstance(y_pred, (list, tuple, dict)):
            y_true, y_pred = _match_structures(y_true, y_pred)
        else:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        from ..saving.object_registration import serialize_keras_object
        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        if "fn" in config:
            from ..saving.object_registration import deserialize_keras_object
            config = deserialize_keras_object(config)
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


def _match_structures(y_true, y_pred):
    """Pairwise rank matching over two nests of the same structure."""
    if isinstance(y_true, dict):
        pairs = {k: _match_structures(y_true[k], y_pred[k]) for k in y_true}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if isinstance(y_true, (list, tuple)):
        if not isinstance(y_pred, (list, tuple)) or len(y_true) != len(y_pred):
            raise ValueError("y_true and y_pred must have the same structure, got "
                             f"{type(y_true).__name__} of {len(y_true)} and "
                             f"{type(y_pred).__name__}")
        pairs = [_match_structures(a, b) for a, b in zip(y_true, y_pred)]
        return type(y_true)(p[0] for p in pairs), type(y_pred)(p[1] for p in pairs)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)
