"""CuPy loaders for the fused CUDA kernels in this folder (``*.cu``), one callable per NumPy twin.

``load(name)`` returns a function with exactly the signature and results of ``twins.<name>``
(raw CuPy arrays in, raw CuPy arrays of the input's dtype out). Each ``.cu`` source is compiled
with ``cupy.RawModule`` once per process and dtype (``-DGK_WITH_<dtype>``); its templates are
instantiated by ``extern "C"`` entry points with plain names rather than NVRTC name expressions,
so CuPy's on-disk kernel cache always applies (it recompiled modules with ``name_expressions`` on
every run until recently, and still does for multi-parameter templates: cupy#9667, cupy#10173).
CuPy is imported lazily, inside the functions: importing this module needs only NumPy, so the
CPU test suite and ``compile_check`` can use the source and entry-point tables without a GPU.
"""

import os
import re
import threading
from pathlib import Path

import numpy as np

KERNEL_DIR = Path(__file__).resolve().parent

#: Activation names (the suffix of their kernels' entry points in activations.cu).
ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu",
               "softplus", "softsign", "sigmoid", "hard_sigmoid", "tanh", "linear")
_ALIASES = {"swish": "silu"}
#: Activations whose derivative is not a function of the output (backward needs x).
_NEEDS_X = frozenset({"gelu", "gelu_tanh", "silu"})
#: Activations whose derivative is cheapest from the output (used whenever y is given).
_PREFERS_Y = frozenset({"sigmoid", "tanh"})

#: Array dtype name -> NumPy type of the kernels' float scalar arguments (float math for the
#: 16-bit types). bfloat16 means CuPy arrays of ml_dtypes' bfloat16.
DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float32,
          "bfloat16": np.float32}
#: Integer label dtypes the sparse cross-entropy kernel reads directly (others are converted).
LABEL_DTYPES = ("int32", "int64")
#: Optimizers with a multi-tensor update kernel in optim.cu (``<name>_multi_update_<dtype>``).
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adagrad", "adamax", "lion", "nadam", "adadelta", "ftrl")

SOURCES = ("activations.cu", "optim.cu", "softmax.cu")
#: Options for cupy.RawModule (CuPy adds the architecture itself); plus one -D per module.
COMPILE_OPTIONS = ("--std=c++17",)

_BLOCK = 256          # threads per block of the elementwise kernels
_MAX_GRID = 1 << 16   # blocks of the elementwise kernels; larger inputs use the grid-stride loop
_INT32_MAX = 2 ** 31 - 1


# -- sources and entry points (no CuPy needed) ------------------------------------------
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$', re.M)


def read_source(filename):
    """The text of ``filename`` in this folder with its local ``#include "x.cuh"`` lines inlined.

    Inlining (instead of ``-I``) keeps every compiler happy without include paths and makes
    CuPy's on-disk cache key change whenever a shared header changes.
    """
    seen = set()

    def expand(name):
        if name in seen:  # headers have include guards; inline each once
            return ""
        seen.add(name)
        text = (KERNEL_DIR / name).read_text(encoding="utf-8")
        return _INCLUDE.sub(lambda m: expand(m.group(1)), text)

    return expand(filename)


def entry_points(filename, dtype):
    """The extern "C" kernel names of ``filename`` compiled for arrays of ``dtype``."""
    if filename == "activations.cu":
        names = [f"{kind}_{dtype}_{act}" for act in ACTIVATIONS
                 for kind in ("act_forward", "bias_act_forward", "act_backward")]
        return names + [f"erf_forward_{dtype}"]
    if filename == "softmax.cu":
        names = [f"{kind}_{dtype}" for kind in (
            "softmax_forward", "log_softmax_forward", "softmax_backward", "log_softmax_backward",
            "softmax_xent")]
        return names + [f"sparse_softmax_xent_{dtype}_{lt}" for lt in LABEL_DTYPES]
    if filename == "optim.cu":
        return [f"{kind}_multi_update_{dtype}" for kind in OPTIMIZERS]
    raise KeyError(f"no kernel source named {filename!r}; known sources: {list(SOURCES)}")


#: Per-source extra options. The optimizer updates round every multiply and add separately
#: (no fused multiply-add), so a GPU step equals the NumPy twin and the published rule bit for bit.
FILE_OPTIONS = {"optim.cu": ("--fmad=false",)}


def module_options(dtype, filename=None):
    """Compiler options of the module holding one dtype's kernels (see the .cu entry points)."""
    return (COMPILE_OPTIONS + FILE_OPTIONS.get(filename, ())
            + ("-DGK_SELECT_DTYPES", f"-DGK_WITH_{dtype}"))


# -- compiled modules ----------------------------------------------------------------------------
_LOCK = threading.Lock()
_MODULES = {}    # (filename, dtype) -> cupy.RawModule
_FUNCTIONS = {}  # (filename, dtype, name, device id) -> cupy.cuda.Function


def _cupy():
    import cupy
    return cupy


def _module(filename, dtype):
    key = (filename, dtype)
    mod = _MODULES.get(key)
    if mod is None:
        with _LOCK:
            mod = _MODULES.get(key)
            if mod is None:
                cp = _cupy()
                mod = cp.RawModule(code=read_source(filename),
                                    options=module_options(dtype, filename))
                _MODULES[key] = mod
    return mod


def _function(filename, dtype, name):
    cp = _cupy()
    key = (filename, dtype, name, cp.cuda.runtime.getDevice())
    fn = _FUNCTIONS.get(key)
    if fn is None:
        fn = _module(filename, dtype).get_function(name)
        _FUNCTIONS[key] = fn
    return fn


def build(dtypes=("float32", "float16", "float64")):
    """Compile (or load from CuPy's cache) every module for ``dtypes`` on the current device.

    Returns ``[(filename, dtype, ok, message)]``; used by ``python -m gpukeras info``.
    """
    report = []
    for filename in SOURCES:
        for dtype in dtypes:
            try:
                mod = _module(filename, dtype)
                for name in entry_points(filename, dtype):
                    mod.get_function(name)
                report.append((filename, dtype, True, ""))
            except Exception as exc:  # report, don't crash: this is a diagnostic
                with _LOCK:
                    _MODULES.pop((filename, dtype), None)
                report.append((filename, dtype, False, f"{type(exc).__name__}: {exc}"))
    return report


# -- argument helpers ----------------------------------------------------------------------------
def _float_input(cp, a, what, kernel):
    """``a`` as a C-contiguous CuPy array, which must have a dtype the kernels support."""
    a = cp.asarray(a)
    if a.dtype.name not in DTYPES:
        raise TypeError(f"{kernel}: {what} must be a floating-point array "
                        f"({', '.join(DTYPES)}), got dtype {a.dtype.name}")
    return cp.ascontiguousarray(a)


def _like(cp, a, ref, what, kernel):
    """``a`` as a C-contiguous CuPy array of ``ref``'s dtype and shape."""
    a = cp.asarray(a)
    if a.dtype.kind not in "fiub" and a.dtype.name != "bfloat16":
        raise TypeError(f"{kernel}: {what} must be a numeric array, got dtype {a.dtype.name}")
    if a.shape != ref.shape:
        raise ValueError(f"{kernel}: {what} has shape {tuple(a.shape)} but must have shape "
                         f"{tuple(ref.shape)}")
    return cp.ascontiguousarray(a.astype(ref.dtype, copy=False))


def _activation(act, kernel):
    name = _ALIASES.get(act, act) if isinstance(act, str) else act
    if name not in ACTIVATIONS:
        raise ValueError(f"{kernel}: unknown activation {act!r}; expected one of "
                         f"{', '.join(ACTIVATIONS)}")
    return name


def _grid(n):
    return (min((n + _BLOCK - 1) // _BLOCK, _MAX_GRID),)


def _rows(x, kernel):
    """(rows, row length) of x viewed as a matrix over its last axis."""
    if x.ndim == 0:
        raise ValueError(f"{kernel}: expected an array with at least one axis, got a scalar")
    n = x.shape[-1]
    if n > _INT32_MAX:
        raise ValueError(f"{kernel}: rows of {n} elements are longer than the kernel supports")
    rows = 1
    for d in x.shape[:-1]:
        rows *= d
    return rows, n


def _row_layout(n):
    """(threads per row, rows per block): a warp per row for short rows, else a block per row."""
    if n <= 1024:
        return 32, 4
    tx = 128
    while tx < 1024 and tx * 16 < n:
        tx *= 2
    return tx, 1


def _launch_rows(fn, rows, n, args):
    tx, ty = _row_layout(n)
    fn(((rows + ty - 1) // ty,), (tx, ty), args)


# -- activations -----------------------------------------------------------------------------------
def activation_forward(act, x, alpha=0.0):
    """``act(x)`` elementwise in one launch (alpha: leaky_relu slope / elu alpha)."""
    cp = _cupy()
    kernel = "activation_forward"
    act = _activation(act, kernel)
    x = cp.asarray(x)
    if x.dtype.kind in "iu" and act in ("relu", "relu6", "linear"):  # as the twin
        if act == "linear":
            return x
        y = cp.maximum(x, 0)
        return cp.minimum(y, 6) if act == "relu6" else y
    x = _float_input(cp, x, "x", kernel)
    if act == "linear":
        return x
    y = cp.empty_like(x)
    if x.size:
        dtype = x.dtype.name
        fn = _function("activations.cu", dtype, f"act_forward_{dtype}_{act}")
        fn(_grid(x.size), (_BLOCK,), (x, y, np.int64(x.size), DTYPES[dtype](alpha)))
    return y


def bias_activation_forward(act, x, bias, alpha=0.0):
    """``act(x + bias)`` with the 1-D ``bias`` along the last axis, fused into one launch."""
    cp = _cupy()
    kernel = "bias_activation_forward"
    act = _activation(act, kernel)
    x, bias = cp.asarray(x), cp.asarray(bias)
    if bias.ndim != 1 or x.ndim < 1 or bias.shape[0] != x.shape[-1]:
        raise ValueError(f"{kernel}: bias of shape {tuple(bias.shape)} does not match the last "
                         f"axis of x of shape {tuple(x.shape)}")
    x = _float_input(cp, x, "x", kernel)
    if bias.dtype.kind not in "fiub" and bias.dtype.name != "bfloat16":
        raise TypeError(f"{kernel}: bias must be a numeric array, got dtype {bias.dtype.name}")
    bias = cp.ascontiguousarray(bias.astype(x.dtype, copy=False))
    y = cp.empty_like(x)
    if x.size:
        dtype = x.dtype.name
        fn = _function("activations.cu", dtype, f"bias_act_forward_{dtype}_{act}")
        fn(_grid(x.size), (_BLOCK,),
           (x, bias, y, np.int64(x.size), np.int64(x.shape[-1]), DTYPES[dtype](alpha)))
    return y


def activation_backward(act, g, x, y, alpha=0.0):
    """``g * act'(x)`` in one pass from the saved input ``x`` and/or output ``y`` (either may be
    None when the derivative can be had from the other); the result has ``g``'s dtype."""
    cp = _cupy()
    kernel = "activation_backward"
    act = _activation(act, kernel)
    g = _float_input(cp, g, "g", kernel)
    if x is None and y is None:
        raise ValueError(f"{kernel}: needs the forward input x or output y, got neither")
    if act == "linear":
        return g
    if x is None and (act in _NEEDS_X or (act in ("leaky_relu", "elu") and alpha < 0)):
        raise ValueError(f"{kernel}: the gradient of {act!r} needs the forward input x")
    use_y = y is not None and (x is None or act in _PREFERS_Y)
    saved = _like(cp, y if use_y else x, g, "y" if use_y else "x", kernel)
    dx = cp.empty_like(g)
    if g.size:
        dtype = g.dtype.name
        fn = _function("activations.cu", dtype, f"act_backward_{dtype}_{act}")
        fn(_grid(g.size), (_BLOCK,),
           (g, saved, saved, dx, np.int64(g.size), DTYPES[dtype](alpha), np.int32(use_y)))
    return dx


def erf(x):
    """The error function elementwise."""
    cp = _cupy()
    x = _float_input(cp, x, "x", "erf")
    y = cp.empty_like(x)
    if x.size:
        dtype = x.dtype.name
        _function("activations.cu", dtype, f"erf_forward_{dtype}")(
            _grid(x.size), (_BLOCK,), (x, y, np.int64(x.size)))
    return y


# -- softmax ---------------------------------------------------------------------------------------
def softmax_forward(x, log=False):
    """Softmax (or log-softmax) over the last axis, numerically stable, one block/warp per row."""
    cp = _cupy()
    x = _float_input(cp, x, "x", "softmax_forward")
    rows, n = _rows(x, "softmax_forward")
    y = cp.empty_like(x)
    if rows and n:
        dtype = x.dtype.name
        fn = _function("softmax.cu", dtype, f"{'log_' if log else ''}softmax_forward_{dtype}")
        _launch_rows(fn, rows, n, (x, y, np.int64(rows), np.int32(n)))
    return y


def softmax_backward(g, y, log=False):
    """Gradient of softmax_forward from its output ``y`` and the incoming gradient ``g``."""
    cp = _cupy()
    kernel = "softmax_backward"
    g = _float_input(cp, g, "g", kernel)
    y = _like(cp, y, g, "y", kernel)
    rows, n = _rows(g, kernel)
    dx = cp.empty_like(g)
    if rows and n:
        dtype = g.dtype.name
        fn = _function("softmax.cu", dtype, f"{'log_' if log else ''}softmax_backward_{dtype}")
        _launch_rows(fn, rows, n, (g, y, dx, np.int64(rows), np.int32(n)))
    return dx


def softmax_cross_entropy(logits, labels):
    """Per-row ``-sum(labels * log_softmax(logits))`` and ``softmax(logits) - labels``, fused."""
    cp = _cupy()
    kernel = "softmax_cross_entropy"
    logits, labels = cp.asarray(logits), cp.asarray(labels)
    if labels.shape != logits.shape:
        raise ValueError(f"{kernel}: labels of shape {tuple(labels.shape)} must have the shape "
                         f"of logits, {tuple(logits.shape)}")
    logits = _float_input(cp, logits, "logits", kernel)
    labels = _like(cp, labels, logits, "labels", kernel)
    rows, n = _rows(logits, kernel)
    loss = cp.empty(logits.shape[:-1], dtype=logits.dtype)
    dlogits = cp.empty_like(logits)
    if rows:
        dtype = logits.dtype.name
        fn = _function("softmax.cu", dtype, f"softmax_xent_{dtype}")
        _launch_rows(fn, rows, n, (logits, labels, loss, dlogits, np.int64(rows), np.int32(n)))
    return loss, dlogits


# Out-of-range sparse labels. The kernel writes NaN loss/gradient rows (as TensorFlow does on
# GPUs) and records the first offender in a small device buffer (one per device). In "sync"
# mode (the default, matching the twin, which raises) the loader reads that buffer right after
# the launch and raises ValueError; the read waits for the kernel, i.e. it is a host sync. In
# "lazy" mode (set_label_check("lazy") or GPUKERAS_LABEL_CHECK=lazy; always while the stream is
# capturing a CUDA graph) nothing is read: the NaNs stay, and check_errors() raises later, e.g.
# where the training loop reads its metrics anyway.
_LABEL_CHECK_MODES = ("sync", "lazy")
_label_check = os.environ.get("GPUKERAS_LABEL_CHECK", "sync").strip().lower()
if _label_check not in _LABEL_CHECK_MODES:
    _label_check = "sync"
_ERROR_BUFFERS = {}  # device id -> cupy int64[4]: flag, label, row, classes


def set_label_check(mode):
    """Choose when out-of-range sparse labels raise: "sync" (at the call) or "lazy"."""
    global _label_check
    if mode not in _LABEL_CHECK_MODES:
        raise ValueError(f"label check mode must be one of {_LABEL_CHECK_MODES}, got {mode!r}")
    _label_check = mode


def _error_buffer(cp):
    dev = cp.cuda.runtime.getDevice()
    buf = _ERROR_BUFFERS.get(dev)
    if buf is None:
        buf = _ERROR_BUFFERS[dev] = cp.zeros(4, dtype=cp.int64)
    return buf


def _raise_if_flagged(buf):
    flag, label, _row, classes = (int(v) for v in _cupy().asnumpy(buf))
    if flag:
        buf.fill(0)
        raise ValueError(f"Received a label value of {label} which is outside the valid range "
                         f"of [0, {classes})")


def check_errors():
    """Raise ValueError for an out-of-range sparse label recorded since the last check (syncs)."""
    for buf in list(_ERROR_BUFFERS.values()):
        _raise_if_flagged(buf)


def _capturing(cp):
    """True while the current stream records a CUDA graph (no host reads or pageable uploads)."""
    try:
        return bool(cp.cuda.get_current_stream().is_capturing())
    except Exception:
        return False


def sparse_softmax_cross_entropy(logits, labels):
    """Per-row ``logsumexp(logits) - logits[label]`` and ``softmax(logits) - one_hot(label)``."""
    cp = _cupy()
    kernel = "sparse_softmax_cross_entropy"
    logits, labels = cp.asarray(logits), cp.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{kernel}: labels must be integers, got {labels.dtype}")
    if logits.ndim < 1 or labels.shape != logits.shape[:-1]:
        raise ValueError(f"{kernel}: labels of shape {tuple(labels.shape)} must have the shape of "
                         f"logits {tuple(logits.shape)} without its last axis")
    logits = _float_input(cp, logits, "logits", kernel)
    if labels.dtype.name not in LABEL_DTYPES:
        if labels.dtype.kind == "u" and labels.dtype.itemsize == 8:  # keep huge ids out of range
            labels = cp.minimum(labels, np.iinfo(np.int64).max)
        labels = labels.astype(cp.int64)
    labels = cp.ascontiguousarray(labels)
    rows, n = _rows(logits, kernel)
    loss = cp.empty(logits.shape[:-1], dtype=logits.dtype)
    dlogits = cp.empty_like(logits)
    if rows:
        dtype = logits.dtype.name
        err = _error_buffer(cp)
        fn = _function("softmax.cu", dtype, f"sparse_softmax_xent_{dtype}_{labels.dtype.name}")
        _launch_rows(fn, rows, n,
                     (logits, labels, loss, dlogits, np.int64(rows), np.int32(n), err))
        if _label_check == "sync" and not _capturing(cp):
            _raise_if_flagged(err)
    return loss, dlogits


def matmul(a, b):
    """``a @ b``: 2-D float products through our own cuBLAS handle (capturable into CUDA
    graphs, transposed operands without copies), everything else through cupy.matmul."""
    from . import cublas
    out = cublas.matmul(a, b)
    return out if out is not None else _cupy().matmul(a, b)


KERNELS = {
    "matmul": matmul,
    "activation_forward": activation_forward,
    "activation_backward": activation_backward,
    "bias_activation_forward": bias_activation_forward,
    "erf": erf,
    "softmax_forward": softmax_forward,
    "softmax_backward": softmax_backward,
    "softmax_cross_entropy": softmax_cross_entropy,
    "sparse_softmax_cross_entropy": sparse_softmax_cross_entropy,
}


def load(name):
    """The GPU implementation of kernel ``name`` (same signature as ``twins.<name>``)."""
    try:
        return KERNELS[name]
    except KeyError:
        raise KeyError(f"no GPU kernel named {name!r}; known kernels: {sorted(KERNELS)}") from None


# The multi-tensor optimizer updates (optim.cu) have their loader in gpu_optim.py, which adds
# them to KERNELS when it is imported (here, last: it reads this module's helpers).
from . import gpu_optim  # noqa: E402,F401
