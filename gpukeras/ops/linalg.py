"""Matrix products: matmul (and ``@``), tensordot, einsum, matrix_transpose.

Each op is its forward and its VJP side by side. The VJPs are written with these same ops, so
nested tapes give higher-order gradients. GEMMs go to ``xp.matmul`` (BLAS on the CPU, cuBLAS on
the GPU). The private ``_transpose`` / ``_reshape`` / ``_conj`` helpers are small differentiable
views used by the VJPs here and in ``reduction.py``.
"""

import string

import numpy as np

from ..core import tape as _tape
from ..core.tensor import Tensor, wrap
from ..errors import InvalidArgumentError
from .arithmetic import cast, sum_to_shape
from .elementwise import _conj
from .shape_ops import reshape as _reshape, transpose as _transpose
from .operands import (backend_of, binary, differentiable, normalize_axis, numeric, same_device,
                       static_ints, tensor, xp_of)

__all__ = ["matmul", "tensordot", "einsum", "matrix_transpose"]


# -- small differentiable helpers -----------------------------------------------------------------
def _swap_last(x):
    perm = list(range(x.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return _transpose(x, perm)


# -- matmul ---------------------------------------------------------------------------------------
def _shape_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _matmul(a, b, ta, tb):
    """The differentiable core of ``matmul``: ``op(a) @ op(b)`` with op a transpose or not."""
    xp = xp_of(a)
    gemm = backend_of(a).kernel("matmul")
    ad, bd = a._data, b._data
    if bd.ndim == 2 and ad.ndim > 2 and not ta:
        # (batch..., M, K) @ (K, N): one large GEMM instead of one per batch item.
        lead = ad.shape[:-1]
        flat = gemm(ad.reshape(-1, ad.shape[-1]), bd.T if tb else bd)
        out = wrap(flat.reshape(lead + (flat.shape[-1],)))
    else:
        out = wrap(gemm(xp.swapaxes(ad, -1, -2) if ta else ad,
                        xp.swapaxes(bd, -1, -2) if tb else bd))
    if _tape.RECORDING:
        def vjp(g, needs):
            ac, bc = _conj(a), _conj(b)
            ga = gb = None
            if needs[0]:
                ga = _matmul(g, bc, False, not tb) if not ta else _matmul(bc, g, tb, True)
                ga = sum_to_shape(ga, a._data.shape)
            if needs[1]:
                if b.ndim == 2 and a.ndim > 2 and not ta:
                    a2 = _reshape(ac, (-1, a._data.shape[-1]))
                    g2 = _reshape(g, (-1, g._data.shape[-1]))
                    gb = _matmul(a2, g2, True, False) if not tb else _matmul(g2, a2, True, False)
                else:
                    gb = _matmul(ac, g, not ta, False) if not tb else _matmul(g, ac, True, ta)
                    gb = sum_to_shape(gb, b._data.shape)
            return ga, gb
        _tape.record("MatMul", (a, b), out, vjp)
    return out


@differentiable
def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Matrix product ``a @ b`` of (batched) matrices; batch dimensions broadcast.

    Both operands need rank >= 2, as in TensorFlow (``tf.matmul`` and the ``@`` operator raise
    InvalidArgumentError for vectors). ``adjoint_x`` is the conjugate transpose.
    """
    if transpose_a and adjoint_a:
        raise ValueError("matmul: only one of transpose_a and adjoint_a can be True")
    if transpose_b and adjoint_b:
        raise ValueError("matmul: only one of transpose_b and adjoint_b can be True")
    a, b = binary(a, b, "matmul")
    numeric(a, "matmul", "iufc")
    sa, sb = tuple(a._data.shape), tuple(b._data.shape)
    for i, s in enumerate((sa, sb)):
        if len(s) < 2:
            raise InvalidArgumentError(
                f"matmul: In[{i}] ndims must be >= 2, got shapes {_shape_text(sa)} and "
                f"{_shape_text(sb)} (use tensordot or multiply + reduce_sum for vectors)", "matmul")
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    k_a = sa[-2] if ta else sa[-1]
    k_b = sb[-1] if tb else sb[-2]
    if k_a != k_b:
        flags = "".join(f", {n}=True" for n, v in (("transpose_a", transpose_a),
                        ("adjoint_a", adjoint_a), ("transpose_b", transpose_b),
                        ("adjoint_b", adjoint_b)) if v)
        raise InvalidArgumentError(
            f"matmul: Matrix size-incompatible: In[0]: {_shape_text(sa)}, In[1]: "
            f"{_shape_text(sb)}{flags} (inner dimensions {k_a} and {k_b} differ)", "matmul")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise InvalidArgumentError(
            f"matmul: In[0] and In[1] must have compatible batch dimensions: "
            f"{_shape_text(sa)} vs. {_shape_text(sb)}", "matmul") from None
    if adjoint_a:
        a = _conj(a)
    if adjoint_b:
        b = _conj(b)
    out = _matmul(a, b, ta, tb)
    if output_type is not None:
        out = cast(out, output_type)
    return out


# -- tensordot ------------------------------------------------------------------------------------
def _tensordot_axes(axes, a, b):
    if type(axes) is Tensor or hasattr(axes, "_gpukeras_tensor"):
        axes = tensor(axes).numpy().tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise InvalidArgumentError(
                f"tensordot: axes={n} must be between 0 and the smaller rank of the operands "
                f"(shapes {tuple(a._data.shape)} and {tuple(b._data.shape)})", "tensordot")
        return list(range(a.ndim - n, a.ndim)), list(range(n))
    if not isinstance(axes, (list, tuple, np.ndarray)) or len(axes) != 2:
        raise ValueError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}")
    a_axes = list(static_ints(axes[0], "tensordot", "axes"))
    b_axes = list(static_ints(axes[1], "tensordot", "axes"))
    if len(a_axes) != len(b_axes):
        raise InvalidArgumentError(
            f"tensordot: different number of contraction axes for a and b: {a_axes} and "
            f"{b_axes}", "tensordot")
    return a_axes, b_axes


@differentiable
def tensordot(a, b, axes, name=None):
    """Contract ``a`` and ``b`` over ``axes`` (an int N: a's last N with b's first N, or a pair
    of axis lists); done as transpose + reshape + one GEMM."""
    a, b = binary(a, b, "tensordot")
    numeric(a, "tensordot", "iufc")
    a_axes, b_axes = _tensordot_axes(axes, a, b)
    a_axes = [normalize_axis(i, a.ndim, "tensordot") for i in a_axes]
    b_axes = [normalize_axis(i, b.ndim, "tensordot") for i in b_axes]
    sa, sb = tuple(a._data.shape), tuple(b._data.shape)
    if len(set(a_axes)) != len(a_axes) or len(set(b_axes)) != len(b_axes):
        raise InvalidArgumentError(f"tensordot: repeated axis in {a_axes} or {b_axes}", "tensordot")
    for i, j in zip(a_axes, b_axes):
        if sa[i] != sb[j]:
            raise InvalidArgumentError(
                f"tensordot: dimension {i} of a (shape {sa}) is {sa[i]} but dimension {j} of b "
                f"(shape {sb}) is {sb[j]}", "tensordot")
    free_a = [i for i in range(a.ndim) if i not in a_axes]
    free_b = [i for i in range(b.ndim) if i not in b_axes]
    k = int(np.prod([sa[i] for i in a_axes], dtype=np.int64))
    m = int(np.prod([sa[i] for i in free_a], dtype=np.int64))
    n = int(np.prod([sb[i] for i in free_b], dtype=np.int64))
    a2 = _reshape(_transpose(a, free_a + a_axes), (m, k))
    b2 = _reshape(_transpose(b, b_axes + free_b), (k, n))
    out = _matmul(a2, b2, False, False)
    return _reshape(out, [sa[i] for i in free_a] + [sb[i] for i in free_b])


# -- einsum ---------------------------------------------------------------------------------------
def _einsum_error(equation, message):
    return InvalidArgumentError(f"einsum: {message} in equation {equation!r}", "einsum")


def _parse_einsum(equation, shapes):
    """Explicit input and output label strings, with '...' expanded to fresh letters."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
        if "->" in rhs:
            raise _einsum_error(equation, "more than one '->'")
    else:
        lhs, rhs = eq, None
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise _einsum_error(equation, f"{len(subs)} input subscripts for {len(shapes)} operands")
    letters = set(string.ascii_letters)
    for part in subs + ([rhs] if rhs is not None else []):
        bad = set(part.replace("...", "")) - letters
        if bad or part.count("...") > 1:
            raise _einsum_error(equation, f"invalid subscript {part!r} (use letters and at most "
                                          "one '...')")
    fresh = [c for c in string.ascii_letters if c not in eq]
    ell_ranks = []
    for sub, shape in zip(subs, shapes):
        named = len(sub.replace("...", ""))
        if "..." in sub:
            if len(shape) < named:
                raise _einsum_error(equation, f"subscript {sub!r} has more labels than the "
                                              f"rank of its operand (shape {tuple(shape)})")
            ell_ranks.append(len(shape) - named)
        elif named != len(shape):
            raise _einsum_error(equation, f"subscript {sub!r} does not match the rank of its "
                                          f"operand (shape {tuple(shape)})")
    n_ell = max(ell_ranks, default=0)
    ell = "".join(fresh[:n_ell])
    expanded = []
    for sub, shape in zip(subs, shapes):
        if "..." in sub:
            r = len(shape) - len(sub.replace("...", ""))
            sub = sub.replace("...", ell[n_ell - r:] if r else "")
        expanded.append(sub)
    if rhs is None:
        counts = {}
        for sub in expanded:
            for c in sub:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = rhs.replace("...", ell)
        if len(set(out)) != len(out):
            raise _einsum_error(equation, f"repeated label in the output {rhs!r}")
        missing = set(out) - set("".join(expanded))
        if missing:
            raise _einsum_error(equation, f"output labels {sorted(missing)} appear in no input")
    return expanded, out


def _label_sizes(subs, shapes):
    sizes = {}
    for sub, shape in zip(subs, shapes):
        for c, d in zip(sub, shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = d
    return sizes


def _einsum_grad(i, g, subs, out_sub, operands, sizes):
    """The gradient for operand ``i``: another einsum of ``g`` with the other operands."""
    xp = xp_of(g)
    dtype = g._data.dtype
    target = subs[i]
    ops_subs, ops = [out_sub], [g]
    for j, (s, t) in enumerate(zip(subs, operands)):
        if j != i:
            ops_subs.append(s)
            ops.append(_conj(t))
    fresh = iter(c for c in string.ascii_letters
                 if c not in "".join(subs) + out_sub)
    result, seen = [], set()
    for c in target:
        if c in seen:  # a repeated label (a diagonal): place the gradient on the diagonal
            f = next(fresh)
            ops_subs.append(c + f)
            ops.append(Tensor(xp.eye(sizes[c], dtype=dtype)))
            result.append(f)
        else:
            seen.add(c)
            result.append(c)
    available = set("".join(ops_subs))
    for c in seen - available:  # summed only within operand i: broadcast back with ones
        ops_subs.append(c)
        ops.append(Tensor(xp.ones((sizes[c],), dtype=dtype)))
    grad = _einsum(",".join(ops_subs) + "->" + "".join(result), ops)
    return sum_to_shape(grad, operands[i]._data.shape)


def _einsum(eq, ops):
    xp = xp_of(ops[0])
    subs, out_sub = eq.split("->")
    subs = subs.split(",")
    try:
        extra = {"optimize": True} if len(ops) > 1 else {}  # BLAS-backed contraction order
        data = xp.einsum(eq, *[t._data for t in ops], **extra)
    except ValueError as exc:
        shapes = ", ".join(str(tuple(t._data.shape)) for t in ops)
        raise InvalidArgumentError(f"einsum: operands with shapes {shapes} do not fit the "
                                   f"equation {eq!r} ({exc})", "einsum") from None
    out = wrap(data)
    if _tape.RECORDING:
        sizes = _label_sizes(subs + [out_sub], [t._data.shape for t in ops] + [data.shape])

        def vjp(g, needs):
            return tuple(_einsum_grad(i, g, subs, out_sub, ops, sizes) if need else None
                         for i, need in enumerate(needs))
        _tape.record("Einsum", tuple(ops), out, vjp)
    return out


@differentiable
def einsum(equation, *inputs, **kwargs):
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; supports '...' and implicit
    output; differentiable (each gradient is another einsum)."""
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}")
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {equation!r}")
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    if not inputs:
        raise ValueError("einsum: at least one input tensor is needed")
    first = tensor(inputs[0])
    ops = [first]
    for x in inputs[1:]:
        _, t = binary(first, x, "einsum")
        ops.append(t)
    same_device("einsum", *ops)
    numeric(first, "einsum", "iufc")
    subs, out_sub = _parse_einsum(equation, [t._data.shape for t in ops])
    return _einsum(",".join(subs) + "->" + out_sub, ops)


# -- matrix_transpose -----------------------------------------------------------------------------
@differentiable
def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swap the last two axes of a (batched) matrix; ``conjugate=True`` also conjugates."""
    a = tensor(a)
    if a.ndim < 2:
        raise InvalidArgumentError(
            f"matrix_transpose: the input must have rank >= 2, got shape {tuple(a._data.shape)}",
            "matrix_transpose")
    out = _swap_last(a)
    return _conj(out) if conjugate else out
