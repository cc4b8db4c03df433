"""Binary arithmetic with broadcasting: add, subtract, multiply, divide, pow, maximum, ...

Each op is its forward and its VJP side by side. VJPs reduce broadcast gradients back to each
input's shape with ``sum_to_shape`` and compute only the gradients that are needed.
"""

from ..core import dtypes as _dtypes
from ..core import tape as _tape
from ..core.tensor import Tensor, as_tensor, wrap
from ..errors import InvalidArgumentError
from .operands import (backend_of, binary, broadcast_error, differentiable, numeric,
                       quiet_float_errors, tensor, xp_of)

__all__ = ["add", "subtract", "multiply", "divide", "truediv", "floordiv", "floormod", "mod",
           "pow", "maximum", "minimum", "squared_difference", "divide_no_nan", "sum_to_shape",
           "add_n", "cast"]


# -- broadcasting -------------------------------------------------------------------------------
@differentiable
def sum_to_shape(x, shape):
    """Sum a broadcast result back down to ``shape`` (the inverse of broadcasting)."""
    if type(x) is Tensor and x._data.shape == shape:
        return x
    x = tensor(x)
    shape = tuple(shape)
    src = x._data.shape
    if src == shape:
        return x
    xp = xp_of(x)
    lead = len(src) - len(shape)
    if lead < 0:
        raise InvalidArgumentError(f"sum_to_shape: cannot reduce shape {src} to {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and src[lead + i] != 1)
    out = wrap(xp.sum(x._data, axis=axes, keepdims=False).reshape(shape) if axes
               else x._data.reshape(shape))
    if _tape.RECORDING:
        _tape.record("SumToShape", (x,), out,
                     lambda g, needs: (broadcast_like(g, src),))
    return out


def broadcast_like(g, shape):
    """``g`` broadcast to ``shape`` (differentiable; its VJP is ``sum_to_shape``)."""
    shape = tuple(shape)
    if g._data.shape == shape:
        return g
    xp = xp_of(g)
    out = Tensor(xp.broadcast_to(g._data, shape))
    if _tape.RECORDING:
        gshape = g._data.shape
        _tape.record("BroadcastTo", (g,), out, lambda gg, needs: (sum_to_shape(gg, gshape),))
    return out


def _unbroadcast(g, t):
    shape = t._data.shape
    return g if g._data.shape == shape else sum_to_shape(g, shape)


# -- the ops ------------------------------------------------------------------------------------
@differentiable
def add(x, y, name=None):
    """x + y, elementwise with broadcasting."""
    x, y = binary(x, y, "add")
    try:
        out = wrap(x._data + y._data)
    except ValueError as exc:
        raise broadcast_error("add", exc, x, y) from None
    if _tape.RECORDING:
        _tape.record("Add", (x, y), out, lambda g, needs: (
            _unbroadcast(g, x) if needs[0] else None,
            _unbroadcast(g, y) if needs[1] else None))
    return out


@differentiable
def subtract(x, y, name=None):
    """x - y, elementwise with broadcasting."""
    x, y = binary(x, y, "subtract")
    try:
        out = wrap(x._data - y._data)
    except ValueError as exc:
        raise broadcast_error("subtract", exc, x, y) from None
    if _tape.RECORDING:
        _tape.record("Sub", (x, y), out, lambda g, needs: (
            _unbroadcast(g, x) if needs[0] else None,
            _unbroadcast(-g, y) if needs[1] else None))
    return out


@differentiable
def multiply(x, y, name=None):
    """x * y, elementwise with broadcasting."""
    x, y = binary(x, y, "multiply")
    try:
        out = wrap(x._data * y._data)
    except ValueError as exc:
        raise broadcast_error("multiply", exc, x, y) from None
    if _tape.RECORDING:
        _tape.record("Mul", (x, y), out, lambda g, needs: (
            _unbroadcast(g * y, x) if needs[0] else None,
            _unbroadcast(g * x, y) if needs[1] else None))
    return out


def _true_divide_dtype(x):
    """TensorFlow's truediv: int8/int16/uint8/uint16 -> float32, int32/int64 -> float64."""
    kind, size = x._data.dtype.kind, x._data.dtype.itemsize
    if kind in "iu":
        return "float32" if size <= 2 else "float64"
    return None


@differentiable
def divide(x, y, name=None):
    """x / y (true division; integer tensors divide in floating point as in TensorFlow)."""
    x, y = binary(x, y, "divide")
    target = _true_divide_dtype(x)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    try:
        with quiet_float_errors(x):
            out = wrap(x._data / y._data)
    except ValueError as exc:
        raise broadcast_error("divide", exc, x, y) from None
    if _tape.RECORDING:
        def vjp(g, needs):
            gx = g / y
            return (_unbroadcast(gx, x) if needs[0] else None,
                    _unbroadcast(-gx * out, y) if needs[1] else None)
        _tape.record("RealDiv", (x, y), out, vjp)
    return out


truediv = divide


def floordiv(x, y, name=None):
    """Floor of x / y (integer division for integers). Not differentiable (gradient zero)."""
    x, y = binary(x, y, "floordiv")
    numeric(x, "floordiv")
    xp = xp_of(x)
    try:
        if x._data.dtype.kind in "iu":
            _check_nonzero(y, "floordiv")
            return wrap(xp.floor_divide(x._data, y._data))
        with quiet_float_errors(x):
            return wrap(xp.floor(x._data / y._data))
    except ValueError as exc:
        raise broadcast_error("floordiv", exc, x, y) from None


@differentiable
def floormod(x, y, name=None):
    """x - floor(x / y) * y: the remainder with the sign of the divisor (Python's %)."""
    x, y = binary(x, y, "floormod")
    numeric(x, "floormod")
    xp = xp_of(x)
    if x._data.dtype.kind in "iu":
        _check_nonzero(y, "floormod")
    try:
        with quiet_float_errors(x):
            out = wrap(xp.mod(x._data, y._data))
    except ValueError as exc:
        raise broadcast_error("floormod", exc, x, y) from None
    if _tape.RECORDING:
        def vjp(g, needs):
            with quiet_float_errors(x):
                q = Tensor(xp.floor(x._data / y._data))
            return (_unbroadcast(g, x) if needs[0] else None,
                    _unbroadcast(-g * q, y) if needs[1] else None)
        _tape.record("FloorMod", (x, y), out, vjp)
    return out


mod = floormod


def _on_host(t):
    """True for CPU tensors: value checks there cost no device synchronisation."""
    return backend_of(t).device_type == "cpu"


def _check_nonzero(y, op):
    # Like TensorFlow: an error on the CPU; on a GPU the result is undefined (no sync per call).
    if _on_host(y) and not xp_of(y).all(y._data):
        raise InvalidArgumentError(f"{op}: integer division by zero", op)


@differentiable
def pow(x, y, name=None):  # noqa: A001 - TensorFlow's name
    """x ** y elementwise."""
    x, y = binary(x, y, "pow")
    xp = xp_of(x)
    if x._data.dtype.kind in "iu" and _on_host(y) and xp.any(y._data < 0):
        raise InvalidArgumentError("pow: integers cannot be raised to negative integer powers", "pow")
    try:
        with quiet_float_errors(x):
            out = wrap(xp.power(x._data, y._data))
    except ValueError as exc:
        raise broadcast_error("pow", exc, x, y) from None
    if _tape.RECORDING:
        def vjp(g, needs):
            gx = gy = None
            if needs[0]:
                gx = _unbroadcast(g * y * pow(x, y - 1), x)
            if needs[1]:
                from .elementwise import log
                safe = Tensor(xp.where(x._data > 0, x._data, xp.ones_like(x._data)))
                gy = _unbroadcast(g * out * log(safe), y)
            return gx, gy
        _tape.record("Pow", (x, y), out, vjp)
    return out


def _select_vjp(x, y, pick_x):
    """Gradient routing for maximum/minimum: ties go to x, as TensorFlow's gradient does."""
    def vjp(g, needs):
        wx = Tensor(pick_x(x._data, y._data).astype(g._data.dtype))
        return (_unbroadcast(g * wx, x) if needs[0] else None,
                _unbroadcast(g * (1 - wx), y) if needs[1] else None)
    return vjp


def _extremum(x, y, op, name, pick_x):
    x, y = binary(x, y, op)
    xp = xp_of(x)
    try:
        out = wrap(getattr(xp, op)(x._data, y._data))
    except ValueError as exc:
        raise broadcast_error(op, exc, x, y) from None
    if _tape.RECORDING:
        _tape.record(name, (x, y), out, _select_vjp(x, y, pick_x))
    return out


@differentiable
def maximum(x, y, name=None):
    """Elementwise max(x, y) with broadcasting."""
    return _extremum(x, y, "maximum", "Maximum", lambda a, b: a >= b)


@differentiable
def minimum(x, y, name=None):
    """Elementwise min(x, y) with broadcasting."""
    return _extremum(x, y, "minimum", "Minimum", lambda a, b: a <= b)


@differentiable
def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise."""
    d = subtract(x, y)
    return d * d


@differentiable
def divide_no_nan(x, y, name=None):
    """x / y, with 0 wherever y is 0 (TensorFlow's ``div_no_nan``, also for x inf or nan)."""
    x, y = binary(x, y, "divide_no_nan")
    target = _true_divide_dtype(x)
    if target is not None:
        x, y = cast(x, target), cast(y, target)
    xp = xp_of(x)
    try:
        with quiet_float_errors(x):
            q = x._data / y._data
    except ValueError as exc:
        raise broadcast_error("divide_no_nan", exc, x, y) from None
    out = wrap(xp.where(y._data == 0, q.dtype.type(0), q))
    if _tape.RECORDING:
        def vjp(g, needs):
            # TensorFlow's gradient: 0 where y is 0, for both inputs.
            return (_unbroadcast(divide_no_nan(g, y), x) if needs[0] else None,
                    _unbroadcast(-g * divide_no_nan(out, y), y) if needs[1] else None)
        _tape.record("DivNoNan", (x, y), out, vjp)
    return out


@differentiable
def add_n(inputs, name=None):
    """The sum of a list of tensors of the same shape and dtype."""
    if not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    total = tensor(inputs[0])
    for t in inputs[1:]:
        t = tensor(t)
        if t._data.shape != total._data.shape:
            raise InvalidArgumentError(
                f"add_n: all inputs must have the same shape, got {tuple(total._data.shape)} and "
                f"{tuple(t._data.shape)}", "add_n")
        total = add(total, t)
    return total


@differentiable
def cast(x, dtype, name=None):
    """``x`` converted to ``dtype`` (floats to ints truncate toward zero; ints wrap as in C);
    ``x`` itself when it already has that dtype."""
    target = _dtypes.as_dtype(dtype)
    x = tensor(x) if (type(x) is Tensor or hasattr(x, "_gpukeras_tensor")) else as_tensor(x)
    if x._data.dtype == target._np:
        return x
    if target.name == "string" or x._data.dtype == object:
        raise TypeError(f"cast: cannot cast a {x.dtype.name} tensor to {target.name}; use "
                        "gpukeras.strings functions for strings")
    xp = xp_of(x)
    src = x._data
    if target.is_bool:
        data = src != 0
    elif target.is_integer and src.dtype.kind == "f":
        data = xp.trunc(src).astype(target._np)
    else:
        data = src.astype(target._np)
    out = wrap(data)
    if _tape.RECORDING and (target.is_floating or target.is_complex):
        src_dtype = x.dtype
        _tape.record("Cast", (x,), out, lambda g, needs: (cast(g, src_dtype),))
    return out
