"""Fused multi-tensor optimizer updates: one backend kernel call updates a whole list of
variables (and their slot variables) of one dtype IN PLACE (``optim.cu`` on a GPU, the NumPy
twins of ``gpukeras.kernels.optimizer_twins``, or their compiled versions, on the CPU).

These are state updates, not differentiable ops: nothing is recorded on a tape. In-place
writes follow the copy-on-write rule of ``Variable._data_for_update``: a variable's array is
written in place only when nothing else (a held ``value()``, a tape's saved value, a view)
can observe it; otherwise the variable gets a fresh copy first, so every value read before
the update keeps what it was. Hyper-parameters are passed as 0-d tensors (or Python numbers,
taken from the cached constants) and stacked into one small device array, so nothing per step
is baked into the launch or uploaded.
"""

import numpy as np

from .. import backends
from ..core.tensor import Tensor, wrap
from ..core.variable import Variable
from .operands import backend_of, tensor, weak

__all__ = ["apply_adam", "apply_sgd", "apply_rmsprop", "apply_multi", "fusable", "adam_alpha",
           "increment"]

#: Variable dtypes the fused kernels update.
FUSED_DTYPES = ("float32", "float16", "float64")
_FUSED_NUMPY = frozenset(np.dtype(name) for name in FUSED_DTYPES)


def fusable(variables, grads, slots=()):
    """Whether ``apply_*`` can update these: plain (unconstrained) Variables of one fused
    dtype, gradients of that dtype, and a slot variable for every variable in every list."""
    if not variables or not isinstance(variables[0], Variable):
        return False
    dtype = variables[0]._value._data.dtype
    if dtype not in _FUSED_NUMPY:
        return False
    for i, v in enumerate(variables):
        if (not isinstance(v, Variable) or getattr(v, "constraint", None) is not None
                or v._value._data.dtype != dtype):
            return False
        g = grads[i]
        if type(g) is not Tensor:   # a Variable or an array: compare DTypes
            if getattr(g, "dtype", None) != variables[0]._value.dtype:
                return False
        elif g._data.dtype != dtype:
            return False
        for lst in slots:
            s = lst[i]
            if not isinstance(s, Variable) or s._value._data.dtype != dtype:
                return False
    return True


def _prepare(op, variables, grads, slot_lists, hyper):
    """(backend, param arrays, grad arrays, slot array lists, hyper array)."""
    if len(grads) != len(variables):
        raise ValueError(f"{op}: {len(grads)} gradients for {len(variables)} variables")
    for what, lst in slot_lists.items():
        if lst is not None and len(lst) != len(variables):
            raise ValueError(f"{op}: {len(lst)} {what} for {len(variables)} variables")
    grads = [tensor(g) for g in grads]
    be, dtype = backend_of(grads[0]), variables[0]._value._data.dtype
    parts = []
    for h in hyper:
        # Python numbers come from the cached 0-d constants: nothing is uploaded per step.
        h = weak(float(h), grads[0], op) if isinstance(h, (int, float)) else tensor(h)
        parts.append(h._data.astype(dtype, copy=False).reshape(1))
    params = [v._data_for_update() for v in variables]
    slots = {what: None if lst is None else [s._data_for_update() for s in lst]
             for what, lst in slot_lists.items()}
    return be, params, [g._data for g in grads], slots, be.xp.concatenate(parts)


def apply_adam(variables, grads, ms, vs, hyper, vhats=None):
    """Adam/AdamW for all ``variables`` in one fused call: ``hyper`` = (alpha, 1-beta_1,
    1-beta_2, epsilon, decay) with alpha the bias-corrected learning rate; ``vhats`` the
    AMSGrad maxima (None without AMSGrad). Variables and slots are updated in place."""
    if not variables:
        return
    be, params, gs, slots, h = _prepare("apply_adam", variables, grads,
                                        {"ms": ms, "vs": vs, "vhats": vhats}, hyper)
    be.kernel("adam_multi_update")(params, gs, slots["ms"], slots["vs"], h, slots["vhats"])


def apply_sgd(variables, grads, ms, hyper, nesterov=False):
    """SGD for all ``variables`` in one fused call: ``hyper`` = (lr, momentum, decay); ``ms``
    the momentum slots (None without momentum). Updated in place."""
    if not variables:
        return
    be, params, gs, slots, h = _prepare("apply_sgd", variables, grads, {"ms": ms}, hyper)
    be.kernel("sgd_multi_update")(params, gs, slots["ms"], h, bool(nesterov))


def apply_rmsprop(variables, grads, vs, ms, avgs, hyper):
    """RMSprop for all ``variables`` in one fused call: ``hyper`` = (lr, rho, 1-rho, momentum,
    epsilon, decay); ``ms`` the momentum slots and ``avgs`` the centered average gradients
    (None when unused). Updated in place."""
    if not variables:
        return
    be, params, gs, slots, h = _prepare("apply_rmsprop", variables, grads,
                                        {"vs": vs, "ms": ms, "avgs": avgs}, hyper)
    be.kernel("rmsprop_multi_update")(params, gs, slots["vs"], slots["ms"], slots["avgs"], h)


def apply_multi(kernel, variables, grads, slot_lists, hyper):
    """The fused update ``kernel`` (``<name>_multi_update(params, grads, *slots, hyper)``) for
    all ``variables`` in one call: ``slot_lists`` one list of slot variables per slot kind,
    ``hyper`` the kernel's per-step scalars in its order. Updated in place."""
    if not variables:
        return
    named = {f"slots[{i}]": lst for i, lst in enumerate(slot_lists)}
    be, params, gs, slots, h = _prepare(kernel, variables, grads, named, hyper)
    be.kernel(kernel)(params, gs, *slots.values(), h)


#: Small constant vectors (Adam's betas) by (values, dtype, backend, device); never dropped, as
#: a recorded CUDA graph may read them.
_VECTORS = {}


def _vector(values, like):
    """``values`` as a cached 1-D array of the dtype and device of the array ``like``."""
    be = backends.backend_of(like)
    index = be.device_index(like)
    key = (values, like.dtype, be, index)
    arr = _VECTORS.get(key)
    if arr is None:
        with be.scope(index):
            arr = be.xp.asarray(values, dtype=like.dtype)
        if len(_VECTORS) < 256:
            _VECTORS[key] = arr
    return arr


def adam_alpha(learning_rate, iterations, beta_1, beta_2):
    """Adam's bias-corrected step size ``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` at step
    ``t = iterations + 1``: a 0-d device tensor of the learning rate's dtype, with both powers
    in one op (7 array ops, 7 launches on a GPU, where the op-by-op formula takes 9)."""
    lr = tensor(learning_rate)._data
    xp = backends.backend_of(lr).xp
    t = (tensor(iterations)._data + 1).astype(lr.dtype)
    q = 1 - xp.power(_vector((beta_1, beta_2), lr), t)
    return wrap(lr * xp.sqrt(q[1]) / q[0])


def increment(variable):
    """``variable += 1`` in place (an optimizer's step count): one op, no new tensor; values
    read earlier keep theirs (``Variable._data_for_update`` copies when one is held)."""
    data = variable._data_for_update()
    data += 1
