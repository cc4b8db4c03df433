"""NumPy twins of the multi-tensor optimizer kernels (optim.cu): Adam, SGD, RMSprop, Adagrad,
Adamax, Lion, Nadam, Adadelta and Ftrl.

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

__all__ = ["adam_multi_update", "sgd_multi_update", "rmsprop_multi_update", "adagrad_multi_update",
           "adamax_multi_update", "lion_multi_update", "nadam_multi_update",
           "adadelta_multi_update", "ftrl_multi_update"]

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


def _scratch(cache, dtype, shape, count=2):
    """``count`` scratch arrays of ``shape``, carved from buffers reused for every block of a
    call."""
    size = 1
    for d in shape:
        size *= d
    bufs = cache.get(dtype)
    if bufs is None or len(bufs) < count or bufs[0].size < size:
        bufs = cache[dtype] = [np.empty(size, dtype) for _ in range(max(count, len(bufs or ())))]
    return tuple(b[:size].reshape(shape) for b in bufs[:count])


def _decay(w, decay, tmp):
    """``w -= w decay`` (weight decay, before the rule) when ``decay`` is not 0."""
    if decay != 0:
        np.multiply(w, decay, out=tmp)
        w -= tmp


def _adam_moments(g, m, v, omb1, omb2, tmp):
    """Adam's moments in place: ``m += (g - m)(1-b1); v += (g^2 - v)(1-b2)`` (Nadam's too)."""
    np.subtract(g, m, out=tmp)
    tmp *= omb1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp -= v
    tmp *= omb2
    v += tmp


def _adam_block(scratch, w, g, m, v, vh, h):
    alpha, omb1, omb2, eps, decay = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    _decay(w, decay, num)
    _adam_moments(g, m, v, omb1, omb2, tmp)
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


# The rules below take the per-step scalars each optimizer's ``_step_scalars`` computes, and
# apply them in the order of its ``_update_rule`` (weight decay is applied before, by the
# optimizer). Each block reads ``h`` in the order of its kernel's hyper array.

def _adagrad_block(scratch, w, g, acc, h):
    lr, eps = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    np.multiply(g, g, out=tmp)
    acc += tmp
    np.add(acc, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    np.multiply(g, lr, out=num)
    num /= tmp
    w -= num


def adagrad_multi_update(params, grads, accs, hyper):
    """Adagrad in place: ``a += g^2; w -= lr g / sqrt(a + eps)``; hyper = [lr, epsilon]."""
    _update("adagrad_multi_update", _adagrad_block, hyper, 2, params, grads, {"accs": accs})


def _adamax_block(scratch, w, g, m, u, h):
    lr, omb1, beta_2, eps, omb1_power = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    np.subtract(g, m, out=tmp)
    tmp *= omb1
    m += tmp
    u *= beta_2
    np.abs(g, out=tmp)
    np.maximum(u, tmp, out=u)
    np.multiply(m, lr, out=num)
    np.add(u, eps, out=tmp)
    tmp *= omb1_power
    num /= tmp
    w -= num


def adamax_multi_update(params, grads, ms, us, hyper):
    """Adamax in place: ``m += (g - m)(1-b1); u = max(b2 u, |g|);
    w -= lr m / ((1-b1^t)(u + eps))``; hyper = [lr, 1-b1, b2, epsilon, 1-b1^t]."""
    _update("adamax_multi_update", _adamax_block, hyper, 5, params, grads, {"ms": ms, "us": us})


def _lion_block(scratch, w, g, m, h):
    lr, beta_1, omb1, beta_2, omb2 = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    np.multiply(m, beta_1, out=tmp)
    np.multiply(g, omb1, out=num)
    tmp += num
    np.sign(tmp, out=tmp)
    tmp *= lr
    w -= tmp
    m *= beta_2
    np.multiply(g, omb2, out=num)
    m += num


def lion_multi_update(params, grads, ms, hyper):
    """Lion in place: ``w -= lr sign(b1 m + (1-b1) g); m = b2 m + (1-b2) g``;
    hyper = [lr, b1, 1-b1, b2, 1-b2]."""
    _update("lion_multi_update", _lion_block, hyper, 5, params, grads, {"ms": ms})


def _nadam_block(scratch, w, g, m, v, h):
    lr, omb1, omb2, u_t_1, om_u_t, om_up_t, om_up_t_1, om_b2_power, eps = h
    tmp, num = _scratch(scratch, w.dtype, w.shape)
    _adam_moments(g, m, v, omb1, omb2, tmp)
    np.multiply(m, u_t_1, out=num)
    num /= om_up_t_1
    np.multiply(g, om_u_t, out=tmp)
    tmp /= om_up_t
    num += tmp
    num *= lr
    np.divide(v, om_b2_power, out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += eps
    num /= tmp
    w -= num


def nadam_multi_update(params, grads, ms, vs, hyper):
    """Nadam in place: Adam's moments, then ``m_hat = u_{t+1} m / (1 - prod u_{..t+1}) +
    (1 - u_t) g / (1 - prod u_{..t})``, ``w -= m_hat lr / (sqrt(v / (1-b2^t)) + eps)``;
    hyper = [lr, 1-b1, 1-b2, u_{t+1}, 1-u_t, 1-prod_t, 1-prod_{t+1}, 1-b2^t, epsilon]."""
    _update("nadam_multi_update", _nadam_block, hyper, 9, params, grads, {"ms": ms, "vs": vs})


def _adadelta_block(scratch, w, g, acc_g, acc_d, h):
    lr, rho, omr, eps = h
    tmp, delta = _scratch(scratch, w.dtype, w.shape)
    acc_g *= rho
    np.multiply(g, g, out=tmp)
    tmp *= omr
    acc_g += tmp
    np.add(acc_d, eps, out=delta)
    np.sqrt(delta, out=delta)
    delta *= g
    np.add(acc_g, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    delta /= tmp
    np.negative(delta, out=delta)
    acc_d *= rho
    np.multiply(delta, delta, out=tmp)
    tmp *= omr
    acc_d += tmp
    delta *= lr
    w += delta


def adadelta_multi_update(params, grads, acc_grads, acc_deltas, hyper):
    """Adadelta in place: ``A = rho A + (1-rho) g^2; d = -sqrt(D + eps) g / sqrt(A + eps);
    D = rho D + (1-rho) d^2; w += lr d``; hyper = [lr, rho, 1-rho, epsilon]."""
    _update("adadelta_multi_update", _adadelta_block, hyper, 4, params, grads,
            {"acc_grads": acc_grads, "acc_deltas": acc_deltas})


def _ftrl_block(scratch, w, g, accum, linear, h):
    lr, neg_lr_power, two_l2_shrinkage, two_l2_reg, l1, neg_l1 = h
    grad, new_accum, power, tmp = _scratch(scratch, w.dtype, w.shape, 4)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # as the ops' pow
        np.multiply(w, two_l2_shrinkage, out=grad)
        np.add(g, grad, out=grad)
        np.multiply(g, g, out=new_accum)
        np.add(accum, new_accum, out=new_accum)
        np.power(new_accum, neg_lr_power, out=power)
        np.power(accum, neg_lr_power, out=tmp)
        np.subtract(power, tmp, out=tmp)
        tmp /= lr
        tmp *= w
        np.subtract(grad, tmp, out=tmp)
        linear += tmp
        accum[...] = new_accum
        power /= lr
        power += two_l2_reg
        np.maximum(linear, neg_l1, out=tmp)
        np.minimum(tmp, l1, out=tmp)
        tmp -= linear
        np.divide(tmp, power, out=w)


def ftrl_multi_update(params, grads, accums, linears, hyper):
    """FTRL-proximal in place (Keras's form, with L2 shrinkage): ``n' = n + g^2``,
    ``z += g + 2 l2s w - (n'^-p - n^-p) / lr w``, ``w = (clip(z, -l1, l1) - z) /
    (n'^-p / lr + 2 l2)``; hyper = [lr, -lr_power, 2 l2_shrinkage, 2 l2 (+ beta / lr), l1,
    -l1]."""
    _update("ftrl_multi_update", _ftrl_block, hyper, 6, params, grads,
            {"accums": accums, "linears": linears})
