"""Fused CPU kernels in C (``cpu_kernels.c``), compiled on first use with the system's compiler.

The NumPy backend's optimizer updates make one pass over memory here instead of the twin's
twelve (Adam over a 669k-parameter MLP: ~0.3 ms against ~0.9 ms). Like the CUDA kernels, the
source ships in the package and is compiled on the machine that runs it (``cc``, ``gcc`` or
``clang``; ``$CC`` wins), once: the library is cached under ``$GPUKERAS_CACHE_DIR`` (default
``~/.cache/gpukeras``), keyed by the source, the flags, the compiler and the CPU. Without a
compiler, or with ``GPUKERAS_CPU_KERNELS=numpy``, the NumPy twins run instead: same results,
bit for bit (the build turns floating-point contraction off).
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


def _compile(cc, target):
    """Build the library at ``target`` (written under a temporary name, then renamed, so a
    concurrent process never loads half a file). Returns None or the compiler's complaint."""
    target.parent.mkdir(parents=True, exist_ok=True)
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
        target = directory / f"cpu_kernels-{key}{suffix}"
        if not target.exists():
            try:
                complaint = _compile(cc, target)
            except OSError:
                continue   # not writable: try the next directory
            if complaint is not None:
                warnings.warn("gpukeras: compiling the fused CPU kernels failed, the NumPy "
                              f"twins run instead (same results, slower):\n{complaint}",
                              RuntimeWarning, stacklevel=4)
                return None, f"compiling failed: {complaint.splitlines()[-1] if complaint else ''}"
        try:
            return ctypes.CDLL(str(target)), None
        except OSError as error:
            return None, f"loading {target.name} failed: {error}"
    return None, "no writable cache directory"


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


KERNELS = {"adam_multi_update": adam_multi_update, "sgd_multi_update": sgd_multi_update,
           "rmsprop_multi_update": rmsprop_multi_update}


def load(name):
    """The compiled version of kernel ``name``, or None (no such kernel, or no compiler)."""
    if name not in KERNELS or library() is None:
        return None
    return KERNELS[name]
