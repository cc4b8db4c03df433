"""NumPy twins of the multi-tensor optimizer kernels (optim.cu): Adam, SGD and RMSprop.

Lists of arrays are updated IN PLACE (params and slots), one call per optimizer step. The
arithmetic mirrors the optimizers' update rules operation by operation, so float32/float64
results equal the per-variable rule bit for bit; float16 is computed in float32 and rounded once
per stored value, like the CUDA kernel. ``hyper`` is a 1-D array of the hyper-parameters.

Every tensor is cut into cache-sized blocks: a block's element-wise passes stay in cache, and
two scratch buffers per call replace per-step temporaries.
"""

import functools

import numpy as np

from .twins import _compute_dtype as compute_dtype

__all__ = ["adam_multi_update", "sgd_multi_update", "rmsprop_multi_update"]

#: Elements per block: a block's operands stay in cache between the element-wise passes.
BLOCK = 65536


def check(kernel, params, lists):
    """Validate lists of arrays aligned with ``params`` (same dtype and shape)."""
    for what, arrays in lists.items():
        if arrays is None:
            continue
        if len(arrays) != len(params):
            raise ValueError(f"{kernel}: {len(arrays)} {what} for {len(params)} params")
        for i, (p, a) in enumerate(zip(params, arrays)):
            if a.shape != p.shape or a.dtype != p.dtype:
                raise ValueError(f"{kernel}: {what}[{i}] has shape {tuple(a.shape)} and dtype "
                                 f"{a.dtype}, params[{i}] has {tuple(p.shape)} and {p.dtype}")
    for p in params:
        compute_dtype(p, kernel)


def check_hyper(h, n, kernel):
    """``h`` must be a 1-D array of at least ``n`` hyper-parameters."""
    if h.ndim != 1 or h.shape[0] < n:
        raise ValueError(f"{kernel}: hyper must be a 1-D array of {n} values, got shape "
                         f"{tuple(h.shape)}")


def _hyper(hyper, n, kernel):
    """``hyper`` as NumPy scalars, per compute dtype (converted once per call and dtype)."""
    h = np.asarray(hyper)
    check_hyper(h, n, kernel)
    by_dtype = {}

    def get(dtype):
        values = by_dtype.get(dtype)
        if values is None:
            values = by_dtype[dtype] = tuple(h[:n].astype(dtype))
        return values
    return get


def _blocks_of(arrays):
    """Aligned 1-D blocks of equal-shape arrays (None entries stay None): views, so in-place
    writes reach the arrays; non-contiguous arrays are processed whole."""
    live = [a for a in arrays if a is not None]
    n = live[0].size
    if n <= BLOCK or not all(a.flags.c_contiguous for a in live):
        yield arrays
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        yield [None if a is None else a[lo:hi] for a in flat]


def _prepare(kernel, hyper, n_hyper, params, grads, slots):
    """Validate, then cut every tensor into blocks ``(w, g, *slots, hyper)`` in its
    compute dtype. Returns the blocks and the (computed, stored) pairs to copy back after the
    update (float16 state computed in float32)."""
    check(kernel, params, {"grads": grads, **slots})
    hyper_in = _hyper(hyper, n_hyper, kernel)
    blocks, write_backs = [], []
    for i, w in enumerate(params):
        if w.size == 0:
            continue
        cd = compute_dtype(w, kernel)
        g = grads[i] if grads[i].dtype == cd else grads[i].astype(cd)
        state = []
        for arr in [w] + [None if s is None else s[i] for s in slots.values()]:
            if arr is not None and arr.dtype != cd:
                work = arr.astype(cd)
                write_backs.append((work, arr))
                arr = work
            state.append(arr)
        h = hyper_in(cd)
        for views in _blocks_of([state[0], g] + state[1:]):
            blocks.append((*views, h))
    return blocks, write_backs


def _update(kernel, block_fn, hyper, n_hyper, params, grads, slots):
    blocks, write_backs = _prepare(kernel, hyper, n_hyper, params, grads, slots)
    scratch = {}
    for block in blocks:
        block_fn(scratch, *block)
    for computed, stored in write_backs:
        stored[...] = computed


def _scratch(cache, dtype, shape):
    """Two scratch arrays of ``shape``, carved from buffers reused for every block of a call."""
    size = 1
    for d in shape:
        size *= d
    bufs = cache.get(dtype)
    if bufs is None or bufs[0].size < size:
        bufs = cache[dtype] = (np.empty(size, dtype), np.empty(size, dtype))
    return bufs[0][:size].reshape(shape), bufs[1][:size].reshape(shape)


def _decay(w, decay, tmp):
    """``w -= w decay`` (weight decay, before the rule) when ``decay`` is not 0."""
    if decay != 0:
        np.multiply(w, decay, out=tmp)
        w -= tmp


def _adam_block(scratch, w, g, m, v, vh, h):
    alpha, omb1, omb2, eps, decay = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    _decay(w, decay, num)
    np.subtract(g, m, out=tmp)
    tmp *= omb1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp -= v
    tmp *= omb2
    v += tmp
    den = v
    if vh is not None:
        np.maximum(vh, v, out=vh)
        den = vh
    np.sqrt(den, out=tmp)
    tmp += eps
    np.multiply(m, alpha, out=num)
    num /= tmp
    w -= num


def adam_multi_update(params, grads, ms, vs, hyper, vhats=None):
    """Adam for lists of tensors in place: ``m += (g - m)(1-b1); v += (g^2 - v)(1-b2);
    w -= (m alpha) / (sqrt(v) + eps)`` (``v`` -> ``v_hat = max(v_hat, v)`` with ``vhats``);
    hyper = [alpha, 1-b1, 1-b2, epsilon, decay] with ``w -= decay w`` first when decay != 0."""
    _update("adam_multi_update", _adam_block, hyper, 5, params, grads,
            {"ms": ms, "vs": vs, "vhats": vhats})


def _sgd_block(scratch, w, g, m, h, nesterov=False):
    lr, momentum, decay = h
    lr_g, tmp = _scratch(scratch, w.dtype, w.shape)
    _decay(w, decay, tmp)
    np.multiply(g, lr, out=lr_g)
    if m is None:
        w -= lr_g
        return
    m *= momentum
    m -= lr_g
    if nesterov:
        np.multiply(m, momentum, out=tmp)
        tmp -= lr_g
        w += tmp
    else:
        w += m


def sgd_multi_update(params, grads, ms, hyper, nesterov=False):
    """SGD for lists of tensors in place: ``w -= lr g``; with momentum slots ``ms`` (None for
    none) ``m = momentum m - lr g; w += m`` (Nesterov: ``w += momentum m - lr g``);
    hyper = [lr, momentum, decay] with ``w -= decay w`` first when decay != 0."""
    _update("sgd_multi_update", functools.partial(_sgd_block, nesterov=bool(nesterov)), hyper,
            3, params, grads, {"ms": ms})


def _rmsprop_block(scratch, w, g, v, m, a, h):
    lr, rho, omr, momentum, eps, decay = h
    tmp, inc = _scratch(scratch, w.dtype, w.shape)
    _decay(w, decay, tmp)
    np.multiply(g, g, out=tmp)
    tmp *= omr
    v *= rho
    v += tmp
    if a is not None:
        a *= rho
        np.multiply(g, omr, out=tmp)
        a += tmp
        np.multiply(a, a, out=tmp)
        np.subtract(v, tmp, out=tmp)
        tmp += eps
    else:
        np.add(v, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.multiply(g, lr, out=inc)
    inc /= tmp
    if m is not None:
        m *= momentum
        m += inc
        w -= m
    else:
        w -= inc


def rmsprop_multi_update(params, grads, vs, ms, avgs, hyper):
    """RMSprop for lists of tensors in place: ``v = rho v + (1-rho) g^2``; centered (``avgs``)
    ``a = rho a + (1-rho) g`` and ``den = v - a^2 + eps`` else ``den = v + eps``;
    ``inc = lr g / sqrt(den)``; with momentum slots ``ms`` ``m = momentum m + inc; w -= m``
    else ``w -= inc``. hyper = [lr, rho, 1-rho, momentum, epsilon, decay]."""
    _update("rmsprop_multi_update", _rmsprop_block, hyper, 6, params, grads,
            {"vs": vs, "ms": ms, "avgs": avgs})
