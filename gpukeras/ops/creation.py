"""Tensor creation: constant, zeros/ones, fill, eye, range, linspace, meshgrid, one_hot, ..."""

from .. import backends
from ..core import dtypes as _dtypes
from ..core import tape as _tape
from ..core.tensor import Tensor, as_tensor, wrap
from ..errors import InvalidArgumentError
from .operands import differentiable, static_ints, tensor, xp_of

__all__ = ["constant", "convert_to_tensor", "zeros", "ones", "zeros_like", "ones_like", "fill",
           "eye", "range", "linspace", "meshgrid", "identity", "one_hot"]


def _backend():
    return backends.get_backend()


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding ``value`` (Python floats -> float32, ints -> int32, as in TensorFlow).

    ``shape`` reshapes ``value``, or broadcasts a scalar to it. ``constant(123456789, int16)``
    raises TypeError because the value does not fit, as TensorFlow 2 does.
    """
    t = as_tensor(value, dtype) if not (type(value) is Tensor or hasattr(value, "_gpukeras_tensor")) \
        else _retyped(value, dtype)
    if shape is None:
        return Tensor(t._data) if t is value else t
    shape = static_ints(shape, "constant", "shape")
    xp = xp_of(t)
    size = 1
    for d in shape:
        size *= d
    if t._data.size == size:
        return Tensor(t._data.reshape(shape))
    if t._data.size == 1:
        return Tensor(xp.broadcast_to(t._data.reshape(()), shape).copy())
    raise TypeError(f"constant: expected {size} elements for shape {list(shape)}, got "
                    f"{t._data.size}")


def _retyped(value, dtype):
    t = as_tensor(value)
    if dtype is None or _dtypes.as_dtype(dtype) == t.dtype:
        return t
    from .arithmetic import cast
    return cast(t, dtype)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """``value`` as a Tensor; Tensors pass through unchanged (a different ``dtype`` raises)."""
    if dtype is None and dtype_hint is not None and not (
            type(value) is Tensor or hasattr(value, "_gpukeras_tensor")):
        try:
            return as_tensor(value, dtype_hint)
        except (TypeError, ValueError):
            return as_tensor(value)
    return as_tensor(value, dtype)


def _shape(shape, op):
    return static_ints(shape, op, "shape") if not (isinstance(shape, (list, tuple)) and not shape) else ()


def _np_dtype(dtype, default):
    return _dtypes.as_dtype(default if dtype is None else dtype)._np


def zeros(shape, dtype=None, name=None):
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return Tensor(_backend().xp.zeros(_shape(shape, "zeros"), dtype=_np_dtype(dtype, "float32")))


def ones(shape, dtype=None, name=None):
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    return Tensor(_backend().xp.ones(_shape(shape, "ones"), dtype=_np_dtype(dtype, "float32")))


def zeros_like(input, dtype=None, name=None):  # noqa: A002 - TensorFlow's argument name
    """Zeros with the shape (and dtype, unless given) of ``input``, on its device."""
    t = tensor(input)
    return Tensor(xp_of(t).zeros(t._data.shape, dtype=_np_dtype(dtype, t.dtype)))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """Ones with the shape (and dtype, unless given) of ``input``, on its device."""
    t = tensor(input)
    return Tensor(xp_of(t).ones(t._data.shape, dtype=_np_dtype(dtype, t.dtype)))


def fill(dims, value, name=None):
    """A tensor of shape ``dims`` filled with ``value`` (its dtype follows ``value``)."""
    v = as_tensor(value)
    if v._data.ndim != 0:
        raise InvalidArgumentError(f"fill: value must be a scalar, got shape {tuple(v.shape)}", "fill")
    xp = xp_of(v)
    return Tensor(xp.full(_shape(dims, "fill"), v._data, dtype=v._data.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=None, name=None):
    """An identity matrix (optionally batched), float32 by default."""
    xp = _backend().xp
    m = xp.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=_np_dtype(dtype, "float32"))
    if batch_shape:
        batch = static_ints(batch_shape, "eye", "batch_shape")
        m = xp.broadcast_to(m, batch + m.shape).copy()
    return Tensor(m)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """``[start, start + delta, ...)`` up to ``limit``; ``range(n)`` counts 0..n-1 (int32)."""
    if limit is None:
        start, limit = 0, start
    values = [_host_number(v) for v in (start, limit, delta)]
    start, limit, delta = values
    if delta == 0:
        raise InvalidArgumentError("range: delta must not be zero", "range")
    if dtype is None:
        dtype = "float32" if any(isinstance(v, float) for v in values) else "int32"
    return Tensor(_backend().xp.arange(start, limit, delta, dtype=_dtypes.as_dtype(dtype)._np))


def _host_number(v):
    if type(v) is Tensor or hasattr(v, "_gpukeras_tensor"):
        return as_tensor(v).numpy().item()
    return v


def linspace(start, stop, num, name=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive.

    Like TensorFlow, integer endpoints give float64 and float endpoints float32.
    """
    s, e = as_tensor(start), as_tensor(stop)
    dtype = "float64" if s.dtype.is_integer and e.dtype.is_integer else (
        s.dtype.name if s.dtype.is_floating else e.dtype.name)
    xp = _backend().xp
    out = xp.linspace(s.numpy().astype("float64"), e.numpy().astype("float64"), int(num), axis=axis)
    return Tensor(xp.asarray(out, dtype=_dtypes.as_dtype(dtype)._np))


@differentiable
def meshgrid(*args, indexing="xy", name=None):
    """Coordinate grids from 1-D tensors (``indexing`` "xy" as in TensorFlow, or "ij")."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    ts = [tensor(a) for a in args]
    from .shape_ops import broadcast_to, reshape
    n = len(ts)
    sizes = [int(t._data.size) for t in ts]
    out_shape = list(sizes)
    if indexing == "xy" and n >= 2:
        out_shape[0], out_shape[1] = out_shape[1], out_shape[0]
    grids = []
    for i, t in enumerate(ts):
        shape = [1] * n
        axis = i
        if indexing == "xy" and n >= 2 and i < 2:
            axis = 1 - i
        shape[axis] = sizes[i]
        grids.append(broadcast_to(reshape(t, shape), out_shape))
    return grids


@differentiable
def identity(input, name=None):  # noqa: A002
    """The same values as a new tensor (gradients pass straight through)."""
    t = tensor(input)
    out = Tensor(t._data)
    if _tape.RECORDING:
        _tape.record("Identity", (t,), out, lambda g, needs: (g,))
    return out


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot vectors of length ``depth`` for integer ``indices`` (out-of-range -> all off)."""
    idx = indices if (type(indices) is Tensor or hasattr(indices, "_gpukeras_tensor")) else as_tensor(indices)
    idx = tensor(idx)
    if not idx.dtype.is_integer:
        raise TypeError(f"one_hot: indices must be integers, got a {idx.dtype.name} tensor")
    depth = int(depth)
    if dtype is None:
        dtype = (as_tensor(on_value).dtype if on_value is not None else
                 as_tensor(off_value).dtype if off_value is not None else _dtypes.float32)
    dtype = _dtypes.as_dtype(dtype)
    xp = xp_of(idx)
    hot = idx._data[..., None] == xp.arange(depth, dtype=idx._data.dtype)
    on = 1 if on_value is None else as_tensor(on_value).numpy().item()
    off = 0 if off_value is None else as_tensor(off_value).numpy().item()
    if on == 1 and off == 0:
        data = hot.astype(dtype._np)
    else:
        data = xp.where(hot, xp.asarray(on, dtype=dtype._np), xp.asarray(off, dtype=dtype._np))
    if axis is not None and axis != -1:
        axis = int(axis)
        data = xp.moveaxis(data, -1, axis)
    return wrap(data)

