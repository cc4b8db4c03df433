"""``Sum``, ``Mean`` and ``MeanMetricWrapper`` (a Mean of a per-sample function's values)."""

from ...backends import device as _device
from ...ops import keras_names as ops
from ...ops.arithmetic import divide_no_nan as _divide_no_nan
from ..saving import object_registration as _registration
from ..saving.object_registration import keras_export
from .metric import Metric
from .metrics_utils import apply_mask, get_keras_mask, squeeze_or_expand_to_same_rank


def _as_dtype(x, dtype):
    """``ops.cast(x, dtype)``, skipped when ``x`` already has that dtype."""
    return x if x.dtype.name == dtype else ops.cast(x, dtype)


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """``values`` weighted and reduced to one value per sample, and the matching weights.

    The weights line up with ``values`` (a trailing size-1 axis is squeezed or added), values
    with more axes than the weights are reduced with ``reduce_fn`` down to the weights' rank,
    and the weights are broadcast to the values (then reduced to one per sample).
    """
    mask = get_keras_mask(values)
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    values_ndim = len(values.shape)
    if values_ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values_ndim)))
    return values, sample_weight


@keras_export("keras.metrics.Sum")
class Sum(Metric):
    """The (weighted) sum of the values: ``[1, 3, 5, 7]`` gives 16, with weights
    ``[1, 1, 0, 0]`` 4."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, reduce_fn=ops.sum,
                                                dtype=self.dtype)
        self.total.assign_add(ops.sum(values))

    def reset_state(self):
        self.total.assign(0)

    def result(self):
        return ops.cast(self.total, self.dtype)


@keras_export("keras.metrics.Mean")
class Mean(Metric):
    """The (weighted) mean of the values: ``total / count``. ``[1, 3, 5, 7]`` gives 4, with
    weights ``[1, 1, 0, 0]`` 2."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="count")

    def update_state(self, values, sample_weight=None):
        if (type(sample_weight) in (int, float) and ops.is_tensor(values) and values.ndim == 0
                and get_keras_mask(values) is None):
            # A scalar weighed by a number (the training loop's loss and batch size): what
            # the general path computes, with the weight a tensor built once, not per step.
            weight = self._constant(sample_weight)
            self.total.assign_add(_as_dtype(values, self.dtype) * weight)
            self.count.assign_add(weight)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight,
                                                            reduce_fn=ops.mean, dtype=self.dtype)
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            num_samples = ops.sum(sample_weight)
        elif len(values.shape) >= 1:
            num_samples = float(ops.shape(values)[0])   # a static shape: no device read
        else:
            num_samples = 1.0
        self.count.assign_add(num_samples)

    def reset_state(self):
        self.total.assign(0)
        self.count.assign(0)

    def result(self):
        return _divide_no_nan(self.total, _as_dtype(self.count, self.dtype))

    def _constant(self, value):
        """``value`` as a 0-d tensor of the metric's dtype on its state's device, cached (a few
        batch sizes; never dropped, as a recorded CUDA graph may read them)."""
        cache = self.__dict__.setdefault("_constants", {})
        t = cache.get(value)
        if t is None:
            with _device(self.count.device):
                t = ops.convert_to_tensor(value, dtype=self.dtype)
            if len(cache) < 16:
                cache[value] = t
        return t


@keras_export("keras.metrics.MeanMetricWrapper")
class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)``, a function giving one value per sample
    (or per element), over all the samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = apply_mask(sample_weight, mask, dtype=self.dtype, reduction="sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {"fn": _registration.serialize_keras_object(self._fn)}
        config.update(_registration.serialize_keras_object(self._fn_kwargs))
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        if "fn" in config:
            config = _registration.deserialize_keras_object(config)
        return cls(**config)


class NamedMeanWrapper(MeanMetricWrapper):
    """A MeanMetricWrapper of a fixed function whose config is just name and dtype."""

    _function = None   # staticmethod(fn) in subclasses

    def __init__(self, name=None, dtype=None):
        super().__init__(type(self)._function, name, dtype=dtype)
        self._direction = "down"

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
