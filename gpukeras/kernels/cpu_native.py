"""Fused CPU kernels in C (``cpu_kernels.c``), compiled on first use with the system's compiler.

The NumPy backend's optimizer updates (all but Ftrl's) make one pass over memory here instead of
the twin's several (Adam's twelve: ~0.3 ms against ~0.9 ms over a 669k-parameter MLP), and bias
+ relu (relu6, leaky_relu, linear) forward and backward one pass without temporaries instead of
two or three.

Like the CUDA kernels, the source ships in the package and is compiled on the machine that runs
it (``cc``, ``gcc`` or ``clang``; ``$CC`` wins), once: the library is cached under
``$GPUKERAS_CACHE_DIR`` (default ``~/.cache/gpukeras``; a directory other users can write to is
not used), keyed by the source, the flags, the compiler and the CPU. Without a compiler, or with
``GPUKERAS_CPU_KERNELS=numpy``, the NumPy twins run instead: same results, bit for bit (the
build turns floating-point contraction off).
"""

import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

from . import optimizer_twins

SOURCE = Path(__file__).with_name("cpu_kernels.c")
#: IEEE arithmetic as written: no fused multiply-add, no fast-math (results equal the twins).
FLAGS = ["-O3", "-std=c99", "-fPIC", "-shared", "-ffp-contract=off", "-fno-math-errno"]
#: Tried first, dropped when the compiler refuses it (the cache key includes the CPU).
NATIVE_FLAGS = ["-march=native"]
_DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}

_lock = threading.Lock()
_state = {"library": None, "tried": False, "why": None, "compiler": None}


def _compiler():
    """The compiler command (``$CC`` when set), or None when there is none to run."""
    cc = os.environ.get("CC")
    if cc:
        cmd = shlex.split(cc)
        return cmd if cmd and shutil.which(cmd[0]) else None
    for name in ("cc", "gcc", "clang"):
        path = shutil.which(name)
        if path:
            return [path]
    return None


def _cpu_identity():
    """The CPU model and feature flags (``-march=native`` code is only valid on that CPU)."""
    try:
        with open("/proc/cpuinfo") as fh:
            lines = [line for line in fh if line.startswith(("model name", "flags"))][:2]
        return "".join(lines)
    except OSError:
        return platform.processor()


def cache_dir():
    """Where compiled kernels are kept between processes."""
    base = os.environ.get("GPUKERAS_CACHE_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gpukeras"


def _private(directory):
    """Create ``directory`` if needed; True when only this user can write to it (code is
    loaded from it, so a directory others can write to is not used)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not hasattr(os, "getuid"):
        return True
    st = directory.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _compile(cc, target):
    """Build the library at ``target`` (written under a temporary name, then renamed, so a
    concurrent process never loads half a file). Returns None or the compiler's complaint."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        out = Path(tmp) / target.name
        complaint = None
        for extra in (NATIVE_FLAGS, []):
            cmd = cc + FLAGS + extra + [str(SOURCE), "-o", str(out), "-lm"]
            try:
                run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as error:
                return str(error)
            if run.returncode == 0:
                os.replace(out, target)
                return None
            complaint = (run.stderr or run.stdout).strip()[-2000:]
        return complaint


def _build():
    if os.environ.get("GPUKERAS_CPU_KERNELS", "").lower() in ("numpy", "0", "off"):
        return None, "turned off by GPUKERAS_CPU_KERNELS"
    cc = _compiler()
    if cc is None:
        wanted = os.environ.get("CC")
        return None, (f"the C compiler $CC={wanted} was not found" if wanted else
                      "no C compiler found (cc, gcc or clang)")
    _state["compiler"] = " ".join(cc)
    key = hashlib.sha256("\0".join([SOURCE.read_text(), " ".join(FLAGS + NATIVE_FLAGS),
                                    " ".join(cc), platform.machine(), _cpu_identity()])
                         .encode()).hexdigest()[:20]
    suffix = ".dll" if os.name == "nt" else ".so"
    for directory in (cache_dir(), Path(tempfile.gettempdir()) / f"gpukeras-{os.getuid()}"
                      if hasattr(os, "getuid") else Path(tempfile.gettempdir()) / "gpukeras"):
        try:
            if not _private(directory):
                continue
        except OSError:
            continue   # cannot be created: try the next directory
        target = directory / f"cpu_kernels-{key}{suffix}"
        if not target.exists():
            try:
                complaint = _compile(cc, target)
            except OSError:
                continue   # not writable: try the next directory
            if complaint is not None:
                warnings.warn("gpukeras: compiling the fused CPU kernels failed, the NumPy "
                              f"twins run instead (same results, slower):\n{complaint}",
                              UserWarning, stacklevel=4)
                return None, f"compiling failed: {complaint.splitlines()[-1] if complaint else ''}"
        try:
            return ctypes.CDLL(str(target)), None
        except OSError as error:
            return None, f"loading {target.name} failed: {error}"
    return None, "no private, writable cache directory"


def library():
    """The compiled library (built on the first call), or None when the twins must run."""
    if not _state["tried"]:
        with _lock:
            if not _state["tried"]:
                _state["library"], _state["why"] = _build()
                _state["tried"] = True
    return _state["library"]


def status():
    """One line for ``gpukeras info``: which CPU kernels run, and why."""
    if library() is not None:
        return f"fused C kernels (compiled with {_state['compiler']})"
    return f"NumPy twins ({_state['why']})"


_FUNCTIONS = {}


def _function(kind, dtype):
    key = (kind, dtype)
    fn = _FUNCTIONS.get(key)
    if fn is None:
        fn = getattr(library(), f"{kind}_{_DTYPES[dtype]}")
        p = ctypes.c_void_p
        fn.argtypes = [p, p, p, p, p, ctypes.c_ssize_t, p, ctypes.c_int]
        fn.restype = None
        _FUNCTIONS[key] = fn
    return fn


def _address(a):
    return None if a is None else a.ctypes.data


def _multi(kind, n_hyper, params, grads, slots, hyper, flag, twin, twin_args):
    """Run the compiled ``kind`` update on every contiguous, writable float32/float64 tensor
    and the NumPy twin on the rest (float16, strided or read-only arrays, which the twin
    rejects with a clear error)."""
    optimizer_twins.check(kind + "_multi_update", params, {"grads": grads, **slots})
    hyper = np.asarray(hyper)
    optimizer_twins.check_hyper(hyper, n_hyper, kind + "_multi_update")
    by_dtype, rest = {}, []
    lists = list(slots.values())
    for i, w in enumerate(params):
        arrays = [w, grads[i]] + [None if s is None else s[i] for s in lists]
        if w.dtype in _DTYPES and all(a is None or a.flags.c_contiguous for a in arrays) and all(
                a is None or a.flags.writeable for a in arrays[:1] + arrays[2:]):
            h = by_dtype.get(w.dtype)
            if h is None:
                h = by_dtype[w.dtype] = np.ascontiguousarray(hyper[:n_hyper], dtype=w.dtype)
            arrays += [None] * (3 - len(lists))
            _function(kind, w.dtype)(*map(_address, arrays[:5]), w.size, h.ctypes.data, flag)
        else:
            rest.append(i)
    if rest:
        pick = (lambda lst: None if lst is None else [lst[i] for i in rest])
        twin([params[i] for i in rest], [grads[i] for i in rest],
             *[pick(s) for s in lists], hyper, *twin_args)


def adam_multi_update(params, grads, ms, vs, hyper, vhats=None):
    """``optimizer_twins.adam_multi_update`` in one pass per tensor."""
    _multi("adam", 5, params, grads, {"ms": ms, "vs": vs, "vhats": vhats}, hyper, 0,
           lambda p, g, m, v, vh, h: optimizer_twins.adam_multi_update(p, g, m, v, h, vh), ())


def sgd_multi_update(params, grads, ms, hyper, nesterov=False):
    """``optimizer_twins.sgd_multi_update`` in one pass per tensor."""
    _multi("sgd", 3, params, grads, {"ms": ms}, hyper, int(bool(nesterov)),
           optimizer_twins.sgd_multi_update, (bool(nesterov),))


def rmsprop_multi_update(params, grads, vs, ms, avgs, hyper):
    """``optimizer_twins.rmsprop_multi_update`` in one pass per tensor."""
    _multi("rmsprop", 6, params, grads, {"vs": vs, "ms": ms, "avgs": avgs}, hyper, 0,
           optimizer_twins.rmsprop_multi_update, ())


def adagrad_multi_update(params, grads, accs, hyper):
    """``optimizer_twins.adagrad_multi_update`` in one pass per tensor."""
    _multi("adagrad", 2, params, grads, {"accs": accs}, hyper, 0,
           optimizer_twins.adagrad_multi_update, ())


def adamax_multi_update(params, grads, ms, us, hyper):
    """``optimizer_twins.adamax_multi_update`` in one pass per tensor."""
    _multi("adamax", 5, params, grads, {"ms": ms, "us": us}, hyper, 0,
           optimizer_twins.adamax_multi_update, ())


def lion_multi_update(params, grads, ms, hyper):
    """``optimizer_twins.lion_multi_update`` in one pass per tensor."""
    _multi("lion", 5, params, grads, {"ms": ms}, hyper, 0, optimizer_twins.lion_multi_update, ())


def nadam_multi_update(params, grads, ms, vs, hyper):
    """``optimizer_twins.nadam_multi_update`` in one pass per tensor."""
    _multi("nadam", 9, params, grads, {"ms": ms, "vs": vs}, hyper, 0,
           optimizer_twins.nadam_multi_update, ())


def adadelta_multi_update(params, grads, acc_grads, acc_deltas, hyper):
    """``optimizer_twins.adadelta_multi_update`` in one pass per tensor."""
    _multi("adadelta", 4, params, grads, {"acc_grads": acc_grads, "acc_deltas": acc_deltas},
           hyper, 0, optimizer_twins.adadelta_multi_update, ())


# -- bias + piecewise-linear activation ------------------------------------------------------
#: The activations compiled here (the others, transcendental, keep NumPy's own SIMD functions).
_ACT_KINDS = {"linear": 0, "relu": 1, "relu6": 2, "leaky_relu": 3}


def _act_function(name, dtype, kind):
    key = (name, dtype)
    fn = _FUNCTIONS.get(key)
    if fn is None:
        fn = getattr(library(), f"{name}_{_DTYPES[dtype]}")
        p, n = ctypes.c_void_p, ctypes.c_ssize_t
        real = ctypes.c_float if dtype == np.float32 else ctypes.c_double
        fn.argtypes = ([p, p, p, n, n, ctypes.c_int, real] if name == "bias_act" else
                       [p, p, p, n, ctypes.c_int, real])
        fn.restype = None
        _FUNCTIONS[key] = fn
    return fn


def _compiled_alpha(act, alpha, dtype):
    """Whether the slope survives in ``dtype`` as the twin uses it (a leaky slope that rounds
    to 0 only there takes the twin, which multiplies by the rounded 0)."""
    return act != "leaky_relu" or alpha == 0 or dtype.type(alpha) != 0


def bias_activation_forward(act, x, bias, alpha=0.0):
    """``twins.bias_activation_forward`` in one pass for piecewise-linear activations."""
    from . import twins
    kind = _ACT_KINDS.get(act)
    if (kind is None or type(x) is not np.ndarray or x.dtype not in _DTYPES or x.ndim < 1
            or not x.flags.c_contiguous or type(bias) is not np.ndarray or bias.ndim != 1
            or bias.shape[0] != x.shape[-1] or not _compiled_alpha(act, float(alpha), x.dtype)):
        return twins.bias_activation_forward(act, x, bias, alpha)
    bias = np.ascontiguousarray(bias, dtype=x.dtype)
    y = np.empty_like(x)
    cols = x.shape[-1]
    _act_function("bias_act", x.dtype, kind)(x.ctypes.data, bias.ctypes.data, y.ctypes.data,
                                             x.size // cols if cols else 0, cols, kind, alpha)
    return y


def activation_backward(act, g, x, y, alpha=0.0):
    """``twins.activation_backward`` in one pass for relu, relu6 and leaky_relu."""
    from . import twins
    kind = _ACT_KINDS.get(act)
    mask = x if x is not None else y   # these kinds' outputs have the sign pattern of x
    if (not kind or type(g) is not np.ndarray or g.dtype not in _DTYPES
            or type(mask) is not np.ndarray or mask.dtype != g.dtype or mask.shape != g.shape
            or not (g.flags.c_contiguous and mask.flags.c_contiguous)
            or (x is None and act == "leaky_relu" and alpha < 0)
            or not _compiled_alpha(act, float(alpha), g.dtype)):
        return twins.activation_backward(act, g, x, y, alpha)
    dx = np.empty_like(g)
    _act_function("act_grad", g.dtype, kind)(g.ctypes.data, mask.ctypes.data, dx.ctypes.data,
                                             g.size, kind, alpha)
    return dx


KERNELS = {"adam_multi_update": adam_multi_update, "sgd_multi_update": sgd_multi_update,
           "rmsprop_multi_update": rmsprop_multi_update,
           "adagrad_multi_update": adagrad_multi_update,
           "adamax_multi_update": adamax_multi_update, "lion_multi_update": lion_multi_update,
           "nadam_multi_update": nadam_multi_update,
           "adadelta_multi_update": adadelta_multi_update,
           "bias_activation_forward": bias_activation_forward,
           "activation_backward": activation_backward}


def load(name):
    """The compiled version of kernel ``name``, or None (no such kernel, or no compiler)."""
    if name not in KERNELS or library() is None:
        return None
    return KERNELS[name]
