"""What every op does with its inputs before computing: convert, check device and dtype.

Python numbers and NumPy values next to a tensor take the tensor's dtype (TensorFlow's rule,
so ``x * 2`` keeps float32); two tensors of different dtypes are an error, never a silent
promotion. Errors name the op and both shapes or dtypes.
"""

import numpy as np

from .. import backends
from ..core import dtypes as _dtypes
from ..core.tensor import Tensor, as_tensor
from ..core.variable import Variable
from ..errors import InvalidArgumentError

#: Every differentiable public op, by name (the gradient tests check each one).
DIFFERENTIABLE = {}


def differentiable(fn):
    """Mark a public op as differentiable so the finite-difference tests must cover it."""
    DIFFERENTIABLE[fn.__name__] = fn
    return fn


def tensor(x, dtype=None):
    """``x`` as a Tensor (Variables give their value); fast when it already is one."""
    if dtype is None:
        if type(x) is Tensor:
            return x
        if type(x) is Variable:
            return x._gpukeras_tensor()
    return as_tensor(x, dtype)


def _describe(t):
    return f"{t.dtype.name} tensor of shape {tuple(t._data.shape)}"


def weak(value, like, op):
    """Convert a non-tensor operand to the dtype and device of the tensor ``like``."""
    kind = type(value)
    if (kind is float or kind is int) and like._data.dtype.kind in "fc":   # ``x * 0.5``
        return _scalar(value, like._data, backends.backend_of(like._data))
    if kind is Tensor or hasattr(value, "_gpukeras_tensor"):
        return as_tensor(value)
    dtype = like.dtype
    if isinstance(value, (bool, np.bool_)) and not dtype.is_bool:
        value = int(value)
    if isinstance(value, (float, np.floating)) and dtype.is_integer and not float(value).is_integer():
        raise TypeError(f"{op}: cannot combine the float {value!r} with {_describe(like)}; "
                        f"cast the tensor to a float dtype first")
    backend = backends.backend_of(like._data)
    if isinstance(value, (int, float, bool, np.generic)):
        return _scalar(value, like._data, backend)
    host = np.asarray(value)
    if host.dtype.kind in "USO":
        raise TypeError(f"{op}: cannot combine the strings {value!r} with {_describe(like)}")
    if host.dtype.kind == "f" and dtype.is_integer and not np.all(host == np.round(host)):
        raise TypeError(f"{op}: cannot combine float values with {_describe(like)}")
    with backend.scope(backend.device_index(like._data)):
        return Tensor(backend.asarray(host, dtype=like._data.dtype))


#: The 0-d tensors ``weak`` made from Python and NumPy scalars, by (type, value, dtype,
#: backend, device). Tensors are immutable, so one serves every op: a training step's constants
#: (``x * 0.5``, an optimizer's betas) are not rebuilt, and on a GPU not uploaded, per step.
#: Entries are never dropped (a recorded CUDA graph may read them); past ``_SCALARS_MAX`` new
#: scalars are simply not kept.
_SCALARS = {}
_SCALARS_MAX = 4096


def _scalar(value, like, backend):
    """``value`` as a cached 0-d Tensor of the dtype and device of the array ``like``."""
    index = backend.device_index(like)
    negative_zero = value == 0 and str(value).startswith("-")   # -0.0 == 0.0, but not for 1/x
    key = (type(value), value, negative_zero, like.dtype, backend, index)
    try:
        return _SCALARS[key]
    except KeyError:
        pass
    except TypeError:   # an unhashable NumPy scalar (void)
        key = None
    with backend.scope(index):
        t = Tensor(backend.xp.asarray(value, dtype=like.dtype))
    if key is not None and value == value and len(_SCALARS) < _SCALARS_MAX:   # NaN never matches
        _SCALARS[key] = t
    return t


def binary(x, y, op):
    """Two operands as Tensors of one dtype on one device (see the module docstring)."""
    if type(x) is Variable:
        x = x._gpukeras_tensor()
    if type(y) is Variable:
        y = y._gpukeras_tensor()
    if type(x) is Tensor and type(y) is Tensor:
        xd, yd = x._data, y._data
        if type(xd) is type(yd) and xd.dtype == yd.dtype:
            return x, y   # the common case: two tensors of one dtype on one device
    tx = type(x) is Tensor or hasattr(x, "_gpukeras_tensor")
    ty = type(y) is Tensor or hasattr(y, "_gpukeras_tensor")
    if tx:
        x = tensor(x)
        y = tensor(y) if ty else weak(y, x, op)
    elif ty:
        y = tensor(y)
        x = weak(x, y, op)
    else:
        x = as_tensor(x)
        y = weak(y, x, op)
    same_device(op, x, y)
    if x._data.dtype != y._data.dtype:
        raise InvalidArgumentError(
            f"{op}: the operands have different dtypes, a {_describe(x)} and a {_describe(y)}; "
            f"cast one of them with gpukeras.cast", op)
    return x, y


def same_device(op, *tensors):
    """Raise if ``tensors`` live on different devices (data never moves implicitly)."""
    first = type(tensors[0]._data)
    for t in tensors[1:]:
        if type(t._data) is not first:
            raise InvalidArgumentError(
                f"{op}: the inputs live on different devices, {tensors[0].device_spec} and "
                f"{t.device_spec}; move one explicitly (gpukeras.device(...) or .numpy())", op)


def broadcast_error(op, exc, *tensors):
    """An InvalidArgumentError for operands whose shapes do not broadcast."""
    shapes = " and ".join(str(tuple(t._data.shape)) for t in tensors)
    return InvalidArgumentError(f"{op}: incompatible shapes {shapes} ({exc})", op)


def numeric(x, op, kinds="iuf"):
    """Raise TypeError unless ``x`` has a numeric dtype of the given NumPy kinds."""
    if x._data.dtype.kind not in kinds:
        expected = {"f": "a floating-point", "iuf": "a numeric", "iu": "an integer",
                    "fc": "a floating-point or complex", "iufc": "a numeric"}.get(kinds, kinds)
        raise TypeError(f"{op}: expected {expected} tensor, got {_describe(x)}")
    return x


def quiet_float_errors(t):
    """Silence NumPy's divide/overflow/invalid warnings: like TensorFlow, ops return inf/nan."""
    return backends.backend_of(t._data).quiet()


def xp_of(t):
    """The array module of the tensor's backend."""
    return backends.backend_of(t._data).xp


def backend_of(t):
    return backends.backend_of(t._data)


def normalize_axis(axis, ndim, op):
    """A non-negative axis, or an InvalidArgumentError naming the op and the valid range."""
    a = int(axis)
    if not -ndim <= a < max(ndim, 1):
        raise InvalidArgumentError(
            f"{op}: axis {axis} is out of range for a tensor of rank {ndim} "
            f"(expected -{ndim} <= axis < {ndim})", op)
    return a % ndim if ndim else 0


def normalize_axes(axis, ndim, op):
    """A tuple of non-negative axes from None (all), an int, a list or a tensor."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is Tensor or hasattr(axis, "_gpukeras_tensor"):
        axis = as_tensor(axis).numpy().tolist()
    if isinstance(axis, (list, tuple)):
        axes = tuple(normalize_axis(a, ndim, op) for a in axis)
    else:
        axes = (normalize_axis(axis, ndim, op),)
    if len(set(axes)) != len(axes):
        raise InvalidArgumentError(f"{op}: repeated axis in {axis}", op)
    return axes


def static_ints(value, op, what):
    """A tuple of Python ints from a list, tuple, NumPy array or tensor (shapes, multiples...)."""
    if type(value) is Tensor or hasattr(value, "_gpukeras_tensor"):
        value = as_tensor(value).numpy()
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    try:
        return tuple(int(v) for v in np.asarray(value).reshape(-1))
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {what} must be a list of integers, got {value!r}") from None


def dtype_arg(dtype):
    return None if dtype is None else _dtypes.as_dtype(dtype)
