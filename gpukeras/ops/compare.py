"""Comparisons, logical and bitwise ops, NaN/Inf tests and ``where``.

Comparisons broadcast and return bool tensors; Python numbers next to a tensor take its dtype
(``operands.binary``), two tensors of different dtypes are an InvalidArgumentError. Logical ops
take bool tensors only, bitwise ops integer tensors only (TypeError otherwise), as in TensorFlow.
Only ``where`` is differentiable (w.r.t. ``x`` and ``y``).
"""

import numpy as np

from ..core import tape as _tape
from ..core.tensor import Tensor, is_tensor, wrap
from .arithmetic import sum_to_shape
from .operands import (_describe, backend_of, binary, broadcast_error, differentiable, numeric,
                       same_device, tensor, xp_of)

__all__ = ["equal", "not_equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
           "logical_or", "logical_not", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_invert", "is_nan", "is_inf", "is_finite", "where"]


def _is_text(v):
    """True for Python/NumPy strings (or lists of them), which ``binary`` would refuse."""
    if is_tensor(v) or isinstance(v, (int, float, complex, bool)):
        return False
    if isinstance(v, (str, bytes)):
        return True
    try:
        return np.asarray(v).dtype.kind in "USO"
    except (TypeError, ValueError):
        return False


def _apply(x, y, op, kinds, fn):
    """``fn(xp, a, b)`` on two operands made compatible by ``binary``; dtype kinds checked."""
    x, y = binary(x, y, op)
    if kinds is not None:
        _check_kinds(x, op, kinds)
    xp = xp_of(x)
    try:
        return wrap(fn(xp, x._data, y._data))
    except ValueError as exc:
        raise broadcast_error(op, exc, x, y) from None


def _check_kinds(x, op, kinds):
    if kinds == "b":
        if x._data.dtype.kind != "b":
            raise TypeError(f"{op}: expected a bool tensor, got {_describe(x)}")
    else:
        numeric(x, op, kinds)


# -- comparisons ------------------------------------------------------------------------------
def _equality(x, y, op, fn):
    if _is_text(x) or _is_text(y):
        # Strings compare too (equal/not_equal only); both sides must then be strings.
        x, y = tensor(x), tensor(y)
    return _apply(x, y, op, None, fn)


def equal(x, y, name=None):
    """x == y elementwise with broadcasting (bool result)."""
    return _equality(x, y, "equal", lambda xp, a, b: xp.equal(a, b) if a.dtype != object
                     else np.asarray(a == b, dtype=bool))


def not_equal(x, y, name=None):
    """x != y elementwise with broadcasting (bool result)."""
    return _equality(x, y, "not_equal", lambda xp, a, b: xp.not_equal(a, b) if a.dtype != object
                     else np.asarray(a != b, dtype=bool))


def greater(x, y, name=None):
    """x > y elementwise with broadcasting (bool result; numeric tensors)."""
    return _apply(x, y, "greater", "iuf", lambda xp, a, b: xp.greater(a, b))


def greater_equal(x, y, name=None):
    """x >= y elementwise with broadcasting (bool result; numeric tensors)."""
    return _apply(x, y, "greater_equal", "iuf", lambda xp, a, b: xp.greater_equal(a, b))


def less(x, y, name=None):
    """x < y elementwise with broadcasting (bool result; numeric tensors)."""
    return _apply(x, y, "less", "iuf", lambda xp, a, b: xp.less(a, b))


def less_equal(x, y, name=None):
    """x <= y elementwise with broadcasting (bool result; numeric tensors)."""
    return _apply(x, y, "less_equal", "iuf", lambda xp, a, b: xp.less_equal(a, b))


# -- logical (bool tensors) ---------------------------------------------------------------------
def logical_and(x, y, name=None):
    """x AND y elementwise for bool tensors, with broadcasting."""
    return _apply(x, y, "logical_and", "b", lambda xp, a, b: xp.logical_and(a, b))


def logical_or(x, y, name=None):
    """x OR y elementwise for bool tensors, with broadcasting."""
    return _apply(x, y, "logical_or", "b", lambda xp, a, b: xp.logical_or(a, b))


def logical_xor(x, y, name=None):
    """x XOR y elementwise for bool tensors, with broadcasting."""
    return _apply(x, y, "logical_xor", "b", lambda xp, a, b: xp.logical_xor(a, b))


def logical_not(x, name=None):
    """NOT x elementwise for a bool tensor."""
    t = tensor(x)
    _check_kinds(t, "logical_not", "b")
    return wrap(xp_of(t).logical_not(t._data))


# -- bitwise (integer tensors) ------------------------------------------------------------------
def bitwise_and(x, y, name=None):
    """Bitwise AND of integer tensors, with broadcasting."""
    return _apply(x, y, "bitwise_and", "iu", lambda xp, a, b: xp.bitwise_and(a, b))


def bitwise_or(x, y, name=None):
    """Bitwise OR of integer tensors, with broadcasting."""
    return _apply(x, y, "bitwise_or", "iu", lambda xp, a, b: xp.bitwise_or(a, b))


def bitwise_xor(x, y, name=None):
    """Bitwise XOR of integer tensors, with broadcasting."""
    return _apply(x, y, "bitwise_xor", "iu", lambda xp, a, b: xp.bitwise_xor(a, b))


def bitwise_invert(x, name=None):
    """Bitwise NOT (~x) of an integer tensor (tf.bitwise.invert)."""
    t = tensor(x)
    _check_kinds(t, "bitwise_invert", "iu")
    return wrap(xp_of(t).invert(t._data))


# -- floating-point classification --------------------------------------------------------------
def is_nan(x, name=None):
    """True where x is NaN (floating-point tensors)."""
    t = numeric(tensor(x), "is_nan", "f")
    return wrap(xp_of(t).isnan(t._data))


def is_inf(x, name=None):
    """True where x is +inf or -inf (floating-point tensors)."""
    t = numeric(tensor(x), "is_inf", "f")
    return wrap(xp_of(t).isinf(t._data))


def is_finite(x, name=None):
    """True where x is neither NaN nor infinite (floating-point tensors)."""
    t = numeric(tensor(x), "is_finite", "f")
    return wrap(xp_of(t).isfinite(t._data))


# -- where --------------------------------------------------------------------------------------
@differentiable
def where(condition, x=None, y=None, name=None):
    """Pick ``x`` where ``condition`` is True and ``y`` elsewhere, all three broadcast together.

    With ``condition`` alone, returns the int64 coordinates of its True (non-zero) elements,
    shape ``(num_true, rank)``. The gradient w.r.t. ``x`` and ``y`` is the output gradient
    masked by the condition (``tf.where`` of TensorFlow 2, i.e. ``where_v2``).
    """
    if x is None and y is None:
        return _coordinates(condition)
    if x is None or y is None:
        raise ValueError("where: x and y must both be given or both be None")
    text = _is_text(x) or _is_text(y)
    if text:
        x, y = tensor(x), tensor(y)
    x, y = binary(x, y, "where")
    cond = _condition(condition, x)
    if text and type(cond._data) is not type(x._data):
        cond = wrap(cond.numpy())   # strings live on the host, so TF runs this where there
    same_device("where", cond, x, y)
    xp = xp_of(x)
    c = cond._data
    try:
        out = wrap(xp.where(c, x._data, y._data))
    except ValueError as exc:
        raise broadcast_error("where", exc, cond, x, y) from None
    if _tape.RECORDING:
        def vjp(g, needs):
            zero = Tensor(xp.zeros((), dtype=g._data.dtype))
            return (sum_to_shape(where(cond, g, zero), x._data.shape) if needs[0] else None,
                    sum_to_shape(where(cond, zero, g), y._data.shape) if needs[1] else None)
        _tape.record("SelectV2", (x, y), out, vjp)
    return out


def _condition(condition, like):
    """The condition as a bool tensor (a non-tensor one is put on the device of ``like``)."""
    if is_tensor(condition):
        cond = tensor(condition)
    else:
        host = np.asarray(condition)
        if host.dtype.kind != "b":
            raise TypeError(f"where: condition must be bool, got {condition!r}")
        backend = backend_of(like)
        with backend.scope(backend.device_index(like._data)):
            cond = Tensor(backend.asarray(host))
    if cond._data.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got {_describe(cond)}")
    return cond


def _coordinates(condition):
    """The int64 coordinates of the True (non-zero) elements, shape (num_true, rank)."""
    cond = tensor(condition)
    if cond._data.dtype.kind not in "biufc":
        raise TypeError(f"where: condition must be bool or numeric, got {_describe(cond)}")
    xp = xp_of(cond)
    coords = xp.argwhere(cond._data)
    return wrap(coords.astype(xp.int64, copy=False))
