"""CuPy loader of the multi-tensor optimizer updates in optim.cu (one launch per dtype updates
a whole list of tensors in place); each function has the signature and results of its NumPy twin
in ``optimizer_twins.py``. Importing ``gpu`` imports this module, which adds its functions to
``gpu.KERNELS``; CuPy is reached through ``gpu._cupy`` at call time, as everywhere there.
"""

from collections import OrderedDict

import numpy as np

from . import gpu

# One launch per dtype updates a whole list of tensors in place. The kernels read an address
# table (K lists of n tensors) and an int64 table [sizes, chunk-block prefix sums] from device
# memory; both are cached by their content (the addresses and sizes themselves), so a step whose
# arrays sit where they sat last step (CuPy's pool makes that the rule) copies nothing to the
# device but the launch arguments. Entries are small; the cache keeps the most recent ones.

_OPT_BLOCK = 256
_OPT_CHUNK = 4096          # elements per block-chunk; must equal GK_OPT_CHUNK in optim.cu
_OPT_TABLES = OrderedDict()
_OPT_TABLES_MAX = 128
#: Hyper-parameters each kernel reads from its ``hyper`` array.
_OPT_HYPER = {"adam_multi_update": 5, "sgd_multi_update": 3, "rmsprop_multi_update": 6,
              "adagrad_multi_update": 2, "adamax_multi_update": 5, "lion_multi_update": 5,
              "nadam_multi_update": 9, "adadelta_multi_update": 4, "ftrl_multi_update": 6}


def _address(a):
    """The device (CuPy) or host (NumPy, under the CPU emulator) address of ``a``'s data."""
    ptr = getattr(a.data, "ptr", None)
    return int(ptr) if ptr is not None else int(a.ctypes.data)


#: Page-locked buffers read by copy nodes of recorded graphs: a graph may be replayed for as
#: long as the process runs, so they are kept (a few hundred bytes per captured step).
_GRAPH_UPLOADS = []


def _upload_pinned(cp, host):
    """``host`` copied to the device through page-locked memory, the one kind of upload a
    CUDA graph can record (its copy node reads the pinned buffer again on every replay)."""
    pinned = cp.cuda.alloc_pinned_memory(host.nbytes)
    _GRAPH_UPLOADS.append(pinned)
    staged = np.frombuffer(pinned, host.dtype, host.size)
    staged[...] = host
    table = cp.empty(host.shape, host.dtype)
    cp.cuda.runtime.memcpyAsync(table.data.ptr, staged.ctypes.data, host.nbytes,
                                cp.cuda.runtime.memcpyHostToDevice,
                                cp.cuda.get_current_stream().ptr)
    return table


def _device_table(cp, values, dtype):
    """A cached device copy of the host integer list ``values``."""
    key = (cp.cuda.runtime.getDevice(), dtype, tuple(values))
    table = _OPT_TABLES.get(key)
    if table is None:
        host = np.asarray(values, dtype=dtype)
        table = _upload_pinned(cp, host) if gpu._capturing(cp) else cp.asarray(host)
        _OPT_TABLES[key] = table
        while len(_OPT_TABLES) > _OPT_TABLES_MAX:
            _OPT_TABLES.popitem(last=False)
    else:
        _OPT_TABLES.move_to_end(key)
    return table


def _multi_launch(kernel, lists, hyper, extra):
    """Validate ``lists`` (params first, None entries skipped), group by dtype and launch
    ``<kernel>_<dtype>`` once per dtype over the non-empty tensors."""
    cp = gpu._cupy()
    params = list(lists[0])
    hyper = cp.asarray(hyper)
    need = _OPT_HYPER[kernel]
    if hyper.ndim != 1 or hyper.shape[0] < need:
        raise ValueError(f"{kernel}: hyper must be a 1-D array of {need} values, got shape "
                         f"{tuple(hyper.shape)}")
    for j, arrays in enumerate(lists[1:], 1):
        if arrays is not None and len(arrays) != len(params):
            raise ValueError(f"{kernel}: list {j} has {len(arrays)} arrays for {len(params)} "
                             "params")
    groups = {}
    for i, p in enumerate(params):
        if p.dtype.name not in gpu.DTYPES:
            raise TypeError(f"{kernel}: params[{i}] must be a floating-point array, got dtype "
                            f"{p.dtype.name}")
        row = []
        for j, arrays in enumerate(lists):
            if arrays is None:
                continue
            a = arrays[i]
            if a.shape != p.shape or a.dtype != p.dtype:
                raise ValueError(f"{kernel}: list {j} entry {i} has shape {tuple(a.shape)} and "
                                 f"dtype {a.dtype}, params[{i}] has {tuple(p.shape)} and "
                                 f"{p.dtype}")
            if j == 1:  # gradients are only read: any layout will do
                a = cp.ascontiguousarray(a)
            elif not a.flags.c_contiguous:
                raise ValueError(f"{kernel}: list {j} entry {i} must be C-contiguous (it is "
                                 "updated in place)")
            row.append(a)
        if p.size:
            groups.setdefault(p.dtype.name, []).append((p.size, row))
    for dtype, items in groups.items():
        n = len(items)
        sizes = [size for size, _ in items]
        starts = [0]
        for size in sizes:
            starts.append(starts[-1] + (size + _OPT_CHUNK - 1) // _OPT_CHUNK)
        k = len(items[0][1])
        ptrs = [_address(row[j]) for j in range(k) for _, row in items]
        ptr_table = _device_table(cp, ptrs, np.uint64)
        meta = _device_table(cp, sizes + starts, np.int64)
        h = cp.ascontiguousarray(hyper.astype(gpu.DTYPES[dtype], copy=False))
        fn = gpu._function("optim.cu", dtype, f"{kernel}_{dtype}")
        fn((min(starts[-1], gpu._MAX_GRID),), (_OPT_BLOCK,),
           (ptr_table, meta, np.int32(n), h) + tuple(np.int32(e) for e in extra))


def adam_multi_update(params, grads, ms, vs, hyper, vhats=None):
    """Adam/AdamW/AMSGrad over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("adam_multi_update", (params, grads, ms, vs, vhats), hyper,
                  (vhats is not None,))


def sgd_multi_update(params, grads, ms, hyper, nesterov=False):
    """SGD (momentum, Nesterov) over lists of tensors, in place, one launch per dtype."""
    _multi_launch("sgd_multi_update", (params, grads, ms), hyper,
                  (ms is not None, bool(nesterov)))


def rmsprop_multi_update(params, grads, vs, ms, avgs, hyper):
    """RMSprop (momentum, centered) over lists of tensors, in place, one launch per dtype."""
    _multi_launch("rmsprop_multi_update", (params, grads, vs, ms, avgs), hyper,
                  (ms is not None, avgs is not None))


def adagrad_multi_update(params, grads, accs, hyper):
    """Adagrad over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("adagrad_multi_update", (params, grads, accs), hyper, ())


def adamax_multi_update(params, grads, ms, us, hyper):
    """Adamax over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("adamax_multi_update", (params, grads, ms, us), hyper, ())


def lion_multi_update(params, grads, ms, hyper):
    """Lion over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("lion_multi_update", (params, grads, ms), hyper, ())


def nadam_multi_update(params, grads, ms, vs, hyper):
    """Nadam over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("nadam_multi_update", (params, grads, ms, vs), hyper, ())


def adadelta_multi_update(params, grads, acc_grads, acc_deltas, hyper):
    """Adadelta over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("adadelta_multi_update", (params, grads, acc_grads, acc_deltas), hyper, ())


def ftrl_multi_update(params, grads, accums, linears, hyper):
    """FTRL-proximal over lists of tensors, in place, one launch per dtype (optim.cu)."""
    _multi_launch("ftrl_multi_update", (params, grads, accums, linears), hyper, ())


gpu.KERNELS.update({"adam_multi_update": adam_multi_update, "sgd_multi_update": sgd_multi_update,
                "rmsprop_multi_update": rmsprop_multi_update,
                "adagrad_multi_update": adagrad_multi_update,
                "adamax_multi_update": adamax_multi_update, "lion_multi_update": lion_multi_update,
                "nadam_multi_update": nadam_multi_update,
                "adadelta_multi_update": adadelta_multi_update,
                "ftrl_multi_update": ftrl_multi_update})
