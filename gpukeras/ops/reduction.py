"""Reductions (reduce_sum/mean/max/..., norm, argmax), sorting (top_k, sort, argsort) and scans.

Each op is its forward and its VJP side by side. Reduction VJPs reshape the output gradient to
the input's rank (reduced axes kept as size 1) and broadcast it back. Gathers used by sort and
top_k are private differentiable ops whose VJPs are the matching scatters (and vice versa), so
nested tapes work through them.
"""

import collections

import numpy as np

from ..core import dtypes as _dtypes
from ..core import tape as _tape
from ..core.tensor import Tensor, as_tensor, wrap
from ..errors import InvalidArgumentError
from .arithmetic import broadcast_like, multiply, pow, subtract
from .elementwise import _conj, abs as _abs, exp as _exp
from .shape_ops import reshape as _reshape
from .operands import (differentiable, dtype_arg, normalize_axes, normalize_axis, numeric,
                       tensor as _tensor, xp_of)

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
           "reduce_all", "reduce_logsumexp", "reduce_std", "reduce_variance", "argmax", "argmin",
           "norm", "count_nonzero", "top_k", "sort", "argsort", "cumsum", "cumprod"]


# -- shared helpers -----------------------------------------------------------------------------
def _axes(axis, x, op):
    """Reduction axes as a tuple of non-negative ints (TF rejects any axis of a 0-d tensor)."""
    if isinstance(axis, np.ndarray):
        axis = axis.tolist()
    if x.ndim == 0 and axis is not None:
        axes = axis.numpy().tolist() if hasattr(axis, "numpy") else axis
        if not (isinstance(axes, (list, tuple)) and len(axes) == 0):
            raise InvalidArgumentError(
                f"{op}: invalid reduction axis {axes} for a 0-d tensor (a scalar)", op)
        return ()
    return normalize_axes(axis, x.ndim, op)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _expand(t, shape, axes, keepdims):
    """A reduced tensor ``t`` reshaped to the input's rank (reduced axes of size 1)."""
    return t if keepdims else _reshape(t, _kept_shape(shape, axes))


def _to_input(g, shape, axes, keepdims):
    """The output gradient broadcast back over the reduced axes to the input's ``shape``."""
    if _tape.RECORDING:   # a tape records the backward pass: differentiable ops
        return broadcast_like(_expand(g, shape, axes, keepdims), shape)
    data = g._data
    if data.shape == shape:
        return g
    if not keepdims:
        data = data.reshape(_kept_shape(shape, axes))
    return Tensor(xp_of(g).broadcast_to(data, shape))   # a view, as broadcast_like gives


def _const(array, dtype):
    """A constant (non-differentiable) tensor of ``dtype`` from a mask or array."""
    return wrap(array.astype(dtype, copy=False))


def _safe_denominator(t):
    """``t`` with its zeros replaced by ones (differentiable; the mask is a constant)."""
    return t + _const(t._data == 0, t._data.dtype)


def _sqrt(x):
    """sqrt(x) whose gradient at 0 is 0 rather than inf (a subgradient, as for norms)."""
    xp = xp_of(x)
    out = wrap(xp.sqrt(x._data))
    if _tape.RECORDING:
        def vjp(g, needs):
            nonzero = _const(out._data != 0, g._data.dtype)
            return (g * 0.5 * nonzero / _safe_denominator(out),)
        _tape.record("Sqrt", (x,), out, vjp)
    return out


def _prepare(input_tensor, axis, op, kinds):
    x = _tensor(input_tensor)
    numeric(x, op, kinds)
    return x, _axes(axis, x, op)


# -- sums and means -----------------------------------------------------------------------------
@differentiable
def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` (an int, list or tensor; all axes when None); keeps the dtype."""
    keepdims = bool(keepdims)
    x, axes = _prepare(input_tensor, axis, "reduce_sum", "iufc")
    data = x._data
    out = wrap(xp_of(x).sum(data, axis=axes, keepdims=keepdims, dtype=data.dtype))
    if _tape.RECORDING:
        shape = data.shape
        _tape.record("Sum", (x,), out, lambda g, needs: (_to_input(g, shape, axes, keepdims),))
    return out


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


@differentiable
def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over ``axis``; integer tensors give an integer mean truncated toward zero (as TF)."""
    keepdims = bool(keepdims)
    x, axes = _prepare(input_tensor, axis, "reduce_mean", "iufc")
    xp = xp_of(x)
    data = x._data
    n = _count(data.shape, axes)
    if data.dtype.kind in "iu":
        total = xp.sum(data, axis=axes, keepdims=keepdims, dtype=data.dtype)
        d = max(n, 1)
        if data.dtype.kind == "u":
            mean = total // d
        else:
            mean = xp.where(total < 0, -((-total) // d), total // d)
        return wrap(xp.asarray(mean, dtype=data.dtype))
    out = wrap(xp.mean(data, axis=axes, keepdims=keepdims))
    if _tape.RECORDING:
        shape = data.shape
        _tape.record("Mean", (x,), out,
                     lambda g, needs: (_to_input(g * (1.0 / max(n, 1)), shape, axes, keepdims),))
    return out


# -- max / min ------------------------------------------------------------------------------------
def _extremum(input_tensor, axis, keepdims, op, fn, tf_name):
    keepdims = bool(keepdims)
    x, axes = _prepare(input_tensor, axis, op, "biuf")
    xp = xp_of(x)
    data = x._data
    if any(data.shape[a] == 0 for a in axes):
        # An empty reduction gives the identity, as in TF: the lowest value for max.
        limits = np.finfo(data.dtype) if data.dtype.kind == "f" else np.iinfo(data.dtype) \
            if data.dtype.kind in "iu" else None
        if limits is None:
            fill = fn == "min"
        elif data.dtype.kind == "f":
            fill = -np.inf if fn == "max" else np.inf
        else:
            fill = limits.min if fn == "max" else limits.max
        shape = _kept_shape(data.shape, axes) if keepdims else tuple(
            d for i, d in enumerate(data.shape) if i not in axes)
        return wrap(xp.full(shape, fill, dtype=data.dtype))
    out = wrap(getattr(xp, fn)(data, axis=axes, keepdims=keepdims))
    if _tape.RECORDING:
        shape = data.shape

        def vjp(g, needs):
            # The gradient goes to the positions holding the extremum, split evenly among ties.
            hit = data == out._data.reshape(_kept_shape(shape, axes))
            count = xp.maximum(hit.sum(axis=axes, keepdims=True), 1)
            weights = _const(hit / count, g._data.dtype)
            return (_to_input(g, shape, axes, keepdims) * weights,)
        _tape.record(tf_name, (x,), out, vjp)
    return out


@differentiable
def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over ``axis``; the gradient goes to the maxima (ties share it evenly)."""
    return _extremum(input_tensor, axis, keepdims, "reduce_max", "max", "Max")


@differentiable
def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over ``axis``; the gradient goes to the minima (ties share it evenly)."""
    return _extremum(input_tensor, axis, keepdims, "reduce_min", "min", "Min")


# -- products -------------------------------------------------------------------------------------
@differentiable
def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product over ``axis``; the gradient is exact with zeros among the inputs."""
    keepdims = bool(keepdims)
    x, axes = _prepare(input_tensor, axis, "reduce_prod", "iufc")
    xp = xp_of(x)
    data = x._data
    out = wrap(xp.prod(data, axis=axes, keepdims=keepdims, dtype=data.dtype))
    if _tape.RECORDING:
        shape = data.shape

        def vjp(g, needs):
            # d prod / d x_m = product of the others: with no zero it is prod / x_m; with one
            # zero only that position gets a gradient (the product of the nonzeros); with two
            # or more every gradient is zero.
            dt = g._data.dtype
            zero = data == 0
            zeros = zero.sum(axis=axes, keepdims=True)
            mask = _const((zeros == 0) | ((zeros == 1) & zero), dt)
            x1 = x + _const(zero, dt)
            others = reduce_prod(x1, axes, keepdims=True) / x1
            return (_to_input(g, shape, axes, keepdims) * _conj(others) * mask,)
        _tape.record("Prod", (x,), out, vjp)
    return out


# -- logical --------------------------------------------------------------------------------------
def _logical(input_tensor, axis, keepdims, op, fn):
    keepdims = bool(keepdims)
    x = _tensor(input_tensor)
    if x._data.dtype.kind != "b":
        raise TypeError(f"{op}: expected a bool tensor, got a {x.dtype.name} tensor of shape "
                        f"{tuple(x._data.shape)}; compare or cast it first")
    axes = _axes(axis, x, op)
    return wrap(getattr(xp_of(x), fn)(x._data, axis=axes, keepdims=keepdims))


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical OR over ``axis`` of a bool tensor."""
    return _logical(input_tensor, axis, keepdims, "reduce_any", "any")


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical AND over ``axis`` of a bool tensor."""
    return _logical(input_tensor, axis, keepdims, "reduce_all", "all")


# -- logsumexp, variance, std -------------------------------------------------------------------
@differentiable
def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over ``axis``, computed stably by subtracting the maximum first."""
    keepdims = bool(keepdims)
    x, axes = _prepare(input_tensor, axis, "reduce_logsumexp", "f")
    xp = xp_of(x)
    data = x._data
    shape = data.shape
    if data.size and all(shape[a] for a in axes):
        peak = xp.max(data, axis=axes, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, xp.zeros_like(peak))
    else:
        peak = xp.zeros(_kept_shape(shape, axes), dtype=data.dtype)
    total = xp.sum(xp.exp(data - peak), axis=axes, keepdims=True)
    with np.errstate(divide="ignore"):  # log(0) = -inf for all -inf inputs, as in TF
        result = xp.log(total) + peak
    out = wrap(result if keepdims else result.reshape(
        tuple(d for i, d in enumerate(shape) if i not in axes)))
    if _tape.RECORDING:
        def vjp(g, needs):
            # d lse / d x = softmax(x) = exp(x - lse) over the reduced axes.
            weights = _exp(subtract(x, _expand(out, shape, axes, keepdims)))
            return (_to_input(g, shape, axes, keepdims) * weights,)
        _tape.record("LogSumExp", (x,), out, vjp)
    return out


@differentiable
def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance (divides by N) over ``axis``; floating-point tensors only."""
    keepdims = bool(keepdims)
    x = _tensor(input_tensor)
    if x._data.dtype.kind != "f":
        raise TypeError(f"reduce_variance: input must be a floating-point tensor, got a "
                        f"{x.dtype.name} tensor of shape {tuple(x._data.shape)}")
    axes = _axes(axis, x, "reduce_variance")
    mean = reduce_mean(x, axes, keepdims=True)
    diff = subtract(x, mean)
    return reduce_mean(diff * diff, axes, keepdims=keepdims)


@differentiable
def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation over ``axis`` (the gradient is 0, not nan, at std 0)."""
    x = _tensor(input_tensor)
    if x._data.dtype.kind != "f":
        raise TypeError(f"reduce_std: input must be a floating-point tensor, got a "
                        f"{x.dtype.name} tensor of shape {tuple(x._data.shape)}")
    return _sqrt(reduce_variance(x, axis, keepdims))


# -- argmax / argmin / count_nonzero --------------------------------------------------------------
def _index_dtype(output_type, op, allowed=("int32", "int64", "int16", "uint16")):
    dtype = dtype_arg(output_type)
    if dtype.name not in allowed:
        raise TypeError(f"{op}: output_type must be one of {', '.join(allowed)}, got {dtype.name}")
    return dtype


def _arg_extremum(input, axis, output_type, op, fn):  # noqa: A002 - TensorFlow's name
    x = _tensor(input)
    numeric(x, op, "biuf")
    dtype = _index_dtype(output_type, op)
    if x.ndim == 0:
        raise InvalidArgumentError(f"{op}: expected a tensor of rank >= 1, got a scalar", op)
    ax = normalize_axis(0 if axis is None else axis, x.ndim, op)
    if x._data.shape[ax] == 0:
        raise InvalidArgumentError(f"{op}: reduction axis {ax} is empty in shape "
                                   f"{tuple(x._data.shape)}", op)
    return wrap(getattr(xp_of(x), fn)(x._data, axis=ax).astype(dtype._np))


def argmax(input, axis=None, output_type=_dtypes.int64, name=None):  # noqa: A002
    """Index of the largest value along ``axis`` (axis 0 when None, as in TF); int64 default."""
    return _arg_extremum(input, axis, output_type, "argmax", "argmax")


def argmin(input, axis=None, output_type=_dtypes.int64, name=None):  # noqa: A002
    """Index of the smallest value along ``axis`` (axis 0 when None, as in TF); int64 default."""
    return _arg_extremum(input, axis, output_type, "argmin", "argmin")


def count_nonzero(input, axis=None, keepdims=None, dtype=_dtypes.int64, name=None):  # noqa: A002
    """Number of nonzero entries (non-empty strings for string tensors) over ``axis``."""
    x = _tensor(input)
    axes = _axes(axis, x, "count_nonzero")
    out_dtype = _dtypes.as_dtype(dtype)._np
    if x._data.dtype == object:
        nonzero = np.vectorize(len, otypes=[np.int64])(x._data) > 0 if x._data.size else \
            np.zeros(x._data.shape, bool)
        counts = nonzero.sum(axis=axes, keepdims=bool(keepdims), dtype=np.int64)
        return as_tensor(np.asarray(counts).astype(out_dtype))
    counts = (x._data != 0).sum(axis=axes, keepdims=bool(keepdims), dtype=np.int64)
    return wrap(counts.astype(out_dtype))


# -- norm ---------------------------------------------------------------------------------------
def _euclidean(x, axes, keepdims):
    """sqrt(sum(x * x)) over ``axes``; its gradient x / norm is 0 (not nan) where norm is 0."""
    xp = xp_of(x)
    data = x._data
    out = wrap(xp.sqrt(xp.sum(data * data, axis=axes, keepdims=keepdims)))
    if _tape.RECORDING:
        shape = data.shape

        def vjp(g, needs):
            scale = _expand(g, shape, axes, keepdims) / _safe_denominator(
                _expand(out, shape, axes, keepdims))
            return (multiply(broadcast_like(scale, shape), x),)
        _tape.record("EuclideanNorm", (x,), out, vjp)
    return out


def _matrix_two_norm(x, axes, keepdims):
    """The largest singular value of the matrices on ``axes``; gradient u1 v1^T."""
    xp = xp_of(x)
    a0, a1 = axes
    moved = xp.moveaxis(x._data, (a0, a1), (-2, -1))
    u, s, vh = xp.linalg.svd(moved, full_matrices=False)
    top = s[..., 0]
    shape = x._data.shape
    out = wrap(top.reshape(_kept_shape(shape, axes)) if keepdims else top)
    if _tape.RECORDING:
        def vjp(g, needs):
            outer = u[..., :, 0:1] * vh[..., 0:1, :]
            weights = _const(xp.moveaxis(outer, (-2, -1), (a0, a1)), g._data.dtype)
            return (_to_input(g, shape, axes, keepdims) * weights,)
        _tape.record("MatrixTwoNorm", (x,), out, vjp)
    return out


def _squeeze(t, shape, axes, keepdims):
    return t if keepdims else _reshape(t, tuple(d for i, d in enumerate(shape) if i not in axes))


@differentiable
def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norm (axis None: the whole tensor as one vector; an int: along that axis) or
    matrix norm (axis a pair): ord 'euclidean' / 'fro', 1, 2, np.inf, or p > 0 for vectors."""
    x = _tensor(tensor)
    if x._data.dtype.kind != "f":
        raise TypeError(f"norm: expected a floating-point tensor, got a {x.dtype.name} tensor "
                        f"of shape {tuple(x._data.shape)}")
    keepdims = bool(keepdims)
    is_matrix = isinstance(axis, (list, tuple)) and len(axis) == 2
    if is_matrix:
        if not all(isinstance(a, (int, np.integer)) for a in axis):
            raise ValueError(f"norm: 'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        axes = tuple(normalize_axis(a, x.ndim, "norm") for a in axis)
        if axes[0] == axes[1]:
            raise ValueError(f"norm: 'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if not isinstance(ord, str) and ord not in (1, 2, np.inf) or \
                isinstance(ord, str) and ord not in ("euclidean", "fro"):
            raise ValueError(f"norm: 'ord' must be a supported matrix norm in ['euclidean', "
                             f"'fro', 1, 2, inf], got {ord}")
    else:
        if not (axis is None or isinstance(axis, (int, np.integer))):
            raise ValueError(f"norm: 'axis' must be None, an integer, or a tuple of 2 unique "
                             f"integers, got {axis}")
        if isinstance(ord, str):
            if ord != "euclidean":
                raise ValueError(f"norm: 'ord' must be a supported vector norm, got {ord!r} "
                                 "('fro' needs a pair of axes)")
        elif not np.isreal(ord) or ord <= 0:
            raise ValueError(f"norm: 'ord' must be a supported vector norm, got {ord}")
        axes = _axes(axis, x, "norm")
    shape = x._data.shape
    if isinstance(ord, str) or (ord == 2 and not is_matrix):
        return _euclidean(x, axes, keepdims)
    if ord == 2:
        return _matrix_two_norm(x, axes, keepdims)
    magnitude = _abs(x)
    if is_matrix and ord == 1:    # largest column sum
        result = reduce_max(reduce_sum(magnitude, axes[0], keepdims=True), axes[1], keepdims=True)
        return _squeeze(result, shape, axes, keepdims)
    if is_matrix:                 # ord == inf: largest row sum
        result = reduce_max(reduce_sum(magnitude, axes[1], keepdims=True), axes[0], keepdims=True)
        return _squeeze(result, shape, axes, keepdims)
    if ord == 1:
        return reduce_sum(magnitude, axes, keepdims=keepdims)
    if ord == np.inf:
        return reduce_max(magnitude, axes, keepdims=keepdims)
    p = float(ord)
    return pow(reduce_sum(pow(magnitude, p), axes, keepdims=keepdims), 1.0 / p)


# -- sorting ------------------------------------------------------------------------------------
TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def _argsort_data(xp, data, axis, descending):
    """Stable sort order along ``axis``; descending keeps equal values in index order."""
    if not descending:
        return xp.argsort(data, axis=axis, kind="stable")
    n = data.shape[axis]
    order = xp.argsort(xp.flip(data, axis), axis=axis, kind="stable")
    return xp.flip(n - 1 - order, axis)


def _permute(x, order, inverse, axis):
    """``x`` reordered along ``axis`` by the permutation ``order`` (a differentiable gather)."""
    xp = xp_of(x)
    out = Tensor(xp.take_along_axis(x._data, order, axis=axis))
    if _tape.RECORDING:
        def vjp(g, needs):
            inv = inverse if inverse is not None else xp.argsort(order, axis=axis)
            return (_permute(g, inv, order, axis),)
        _tape.record("Permute", (x,), out, vjp)
    return out


def _gather_last(x, index):
    """``x[..., index]`` row by row along the last axis (``index`` has k distinct entries)."""
    xp = xp_of(x)
    out = Tensor(xp.take_along_axis(x._data, index, axis=-1))
    if _tape.RECORDING:
        n = x._data.shape[-1]
        _tape.record("GatherLast", (x,), out, lambda g, needs: (_scatter_last(g, index, n),))
    return out


def _scatter_last(g, index, n):
    """Zeros of last dimension ``n`` with ``g`` placed at ``index`` (the inverse of the gather)."""
    xp = xp_of(g)
    lead = g._data.shape[:-1]
    rows = int(np.prod(lead, dtype=np.int64))
    base = (xp.arange(rows, dtype=xp.int64) * n).reshape(lead + (1,))
    flat = xp.zeros((rows * n,), dtype=g._data.dtype)
    flat[(base + index).reshape(-1)] = g._data.reshape(-1)
    out = Tensor(flat.reshape(lead + (n,)))
    if _tape.RECORDING:
        _tape.record("ScatterLast", (g,), out, lambda gg, needs: (_gather_last(gg, index),))
    return out


def _direction(direction, op):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"{op}: direction must be 'ASCENDING' or 'DESCENDING', got "
                         f"{direction!r}")
    return direction == "DESCENDING"


def _sort_axis(x, axis, op):
    if x.ndim == 0:
        raise InvalidArgumentError(f"{op}: expected a tensor of rank >= 1, got a scalar", op)
    return normalize_axis(axis, x.ndim, op)


@differentiable
def top_k(input, k=1, sorted=True, index_type=_dtypes.int32, name=None):  # noqa: A002
    """The ``k`` largest entries along the last axis and their int32 indices (ties: lower index
    first); a ``(values, indices)`` namedtuple, differentiable in ``values``."""
    x = _tensor(input)
    numeric(x, "top_k", "iuf")
    if x.ndim == 0:
        raise InvalidArgumentError("top_k: input must be at least rank 1, got a scalar", "top_k")
    k = int(k)
    n = x._data.shape[-1]
    if k < 0 or k > n:
        raise InvalidArgumentError(f"top_k: input must have at least k={k} columns, but its "
                                   f"shape is {tuple(x._data.shape)}", "top_k")
    xp = xp_of(x)
    index = _argsort_data(xp, x._data, -1, True)[..., :k]
    values = _gather_last(x, index)
    return TopKV2(values, wrap(index.astype(_index_dtype(index_type, "top_k")._np)))


@differentiable
def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis``; differentiable (gradients follow the permutation)."""
    x = _tensor(values)
    numeric(x, "sort", "iuf")
    descending = _direction(direction, "sort")
    ax = _sort_axis(x, axis, "sort")
    order = _argsort_data(xp_of(x), x._data, ax, descending)
    return _permute(x, order, None, ax)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """int32 indices that sort ``values`` along ``axis`` (always stable: ties in index order)."""
    x = _tensor(values)
    numeric(x, "argsort", "iuf")
    descending = _direction(direction, "argsort")
    ax = _sort_axis(x, axis, "argsort")
    return wrap(_argsort_data(xp_of(x), x._data, ax, descending).astype(np.int32))


# -- scans --------------------------------------------------------------------------------------
def _scan_data(xp, fn, data, axis, exclusive, reverse, identity):
    if reverse:
        data = xp.flip(data, axis)
    out = fn(data, axis=axis, dtype=data.dtype)
    if exclusive and data.shape[axis]:
        head_shape = list(data.shape)
        head_shape[axis] = 1
        body = [slice(None)] * data.ndim
        body[axis] = slice(0, -1)
        out = xp.concatenate([xp.full(head_shape, identity, dtype=data.dtype), out[tuple(body)]],
                             axis=axis)
    if reverse:
        out = xp.flip(out, axis)
    return out


def _scan_setup(x, axis, op):
    x = _tensor(x)
    numeric(x, op, "iufc")
    if x.ndim == 0:
        raise InvalidArgumentError(f"{op}: expected a tensor of rank >= 1, got a scalar", op)
    if type(axis) is Tensor or hasattr(axis, "_gpukeras_tensor"):
        axis = int(_tensor(axis).numpy())
    return x, normalize_axis(axis, x.ndim, op)


@differentiable
def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum along ``axis`` (``exclusive`` starts from 0, ``reverse`` from the end)."""
    x, ax = _scan_setup(x, axis, "cumsum")
    xp = xp_of(x)
    out = wrap(_scan_data(xp, xp.cumsum, x._data, ax, exclusive, reverse, 0))
    if _tape.RECORDING:
        _tape.record("Cumsum", (x,), out, lambda g, needs: (
            cumsum(g, ax, exclusive=exclusive, reverse=not reverse),))
    return out


@differentiable
def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product along ``axis``; the gradient is exact with zeros among the inputs."""
    x, ax = _scan_setup(x, axis, "cumprod")
    xp = xp_of(x)
    data = x._data
    out = wrap(_scan_data(xp, xp.cumprod, data, ax, exclusive, reverse, 1))
    if _tape.RECORDING:
        def vjp(g, needs):
            # Output i depends on input m through the product of its other contributors. With
            # zeros replaced by ones (x1, y1 = cumprod(x1)) that product is y1_i / x1_m, valid
            # when those others hold no zero: count zeros per output (c) and keep outputs with
            # c == 0 for a nonzero x_m and c == 1 for a zero x_m (the first zero only).
            dt = g._data.dtype
            zero = data == 0
            count = _scan_data(xp, xp.cumsum, zero.astype(np.int32), ax, exclusive, reverse, 0)
            x1 = x + _const(zero, dt)
            gy = g * _conj(cumprod(x1, ax, exclusive=exclusive, reverse=reverse))
            back = dict(exclusive=exclusive, reverse=not reverse)
            r0 = cumsum(gy * _const(count == 0, dt), ax, **back)
            r1 = cumsum(gy * _const(count == 1, dt), ax, **back)
            picked = r0 * _const(~zero, dt) + r1 * _const(zero, dt)
            return (picked / _conj(x1),)
        _tape.record("Cumprod", (x,), out, vjp)
    return out
