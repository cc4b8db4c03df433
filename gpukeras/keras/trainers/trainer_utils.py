"""Helpers of the training engine (``trainer.py``): metric discovery, optimizer look-up, batch
sizes and the conversions between host values and tensors at the engine's edges."""

import inspect

from ...core.tensor import Tensor
from ...core.variable import Variable as _CoreVariable
from ...ops import keras_names as ops
from .. import backend
from ..symbolic import KerasTensor, flatten
from ..tree import map_structure

__all__ = ["CompiledMetricsShim", "lookup_optimizer", "metrics_in", "has_param", "batch_size_of",
           "to_numpy", "as_tensors"]


class CompiledMetricsShim:
    """tf.keras's ``model.compiled_metrics``: the compiled metrics of ``model``."""

    def __init__(self, model):
        self._model = model

    def update_state(self, y, y_pred, sample_weight=None):
        if self._model._compile_metrics is not None:
            self._model._compile_metrics.update_state(y, y_pred, sample_weight)

    def reset_state(self):
        if self._model._compile_metrics is not None:
            self._model._compile_metrics.reset_state()

    @property
    def metrics(self):
        m = self._model._compile_metrics
        return [] if m is None else m.metrics


def lookup_optimizer(optimizers, identifier):
    """``optimizers.get(identifier)``; an unknown name raises listing the valid ones."""
    try:
        return optimizers.get(identifier)
    except (ValueError, TypeError) as exc:
        names = getattr(optimizers, "ALL_OBJECTS_DICT", None)
        if not isinstance(identifier, str) or not names or "valid" in str(exc):
            raise
        exc = f"Could not interpret optimizer identifier: {identifier}"
        raise ValueError(f"{exc}. Unknown optimizer name '{identifier}'; valid optimizer names "
                         f"are: {', '.join(sorted(names))}") from None


def metrics_in(attributes):
    """The Metric objects among attribute values (also inside lists, tuples and dicts)."""
    from .. import metrics as metrics_module
    cls = metrics_module.Metric
    found = []
    for key, value in attributes.items():
        if isinstance(value, cls):
            found.append(value)
        elif isinstance(value, (list, tuple)) and key != "_inbound_nodes":
            found.extend(v for v in value if isinstance(v, cls))
        elif isinstance(value, dict) and key != "_tracking":
            found.extend(v for v in value.values() if isinstance(v, cls))
    return found


_PARAM_CACHE = {}


def has_param(cls, method, param):
    """Whether ``cls.method`` takes an argument named ``param`` (cached per class)."""
    key = (cls, method, param)
    if key not in _PARAM_CACHE:
        _PARAM_CACHE[key] = param in inspect.signature(getattr(cls, method)).parameters
    return _PARAM_CACHE[key]


def batch_size_of(x):
    """The first dimension of the first array-like leaf of ``x`` (None when there is none)."""
    for item in flatten(x):
        if item is not None and getattr(item, "shape", None) is not None and len(item.shape):
            return item.shape[0]
    return None


def to_numpy(value):
    """``value.numpy()`` for tensors (not KerasTensors); anything else unchanged."""
    return value.numpy() if hasattr(value, "numpy") and not isinstance(value, KerasTensor) \
        else value


def as_tensors(data):
    """Array leaves (NumPy arrays, array-likes) as tensors; other floats become floatx, like the
    data adapters do for ``fit``."""
    def convert(value):
        if value is None or isinstance(value, (Tensor, _CoreVariable, KerasTensor, str)):
            return value
        if not hasattr(value, "__array__"):
            return value
        tensor = ops.convert_to_tensor(value)
        if tensor.dtype.is_floating and tensor.dtype.name != backend.floatx():
            tensor = ops.cast(tensor, backend.floatx())
        return tensor
    return map_structure(convert, data)

