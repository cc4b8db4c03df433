"""Run gpukeras' CUDA kernels on the CPU: the real .cu source compiled as host C++ (g++) against
cuda_emulator.h (each CUDA thread a fiber, adversarially scheduled between barriers), launched
through gpukeras.kernels.gpu with a NumPy stand-in for CuPy.

This checks what a GPU-less machine otherwise cannot: the loader's argument order and scalar
types (checked against the kernels' C signatures), its launch configuration, the kernels'
indexing, that every __syncthreads / warp shuffle is reached by all threads, and that no
__syncthreads is missing between writes and reads of shared memory. Output buffers get guard
zones that must stay untouched (out-of-bounds writes); inputs are copied into buffers padded with
NaN (out-of-bounds reads show up as NaN). Not covered: CuPy itself, the PTX half/bfloat16
conversions (software ones stand in), GPU math-library accuracy, and memory-model effects that
fibers on one OS thread cannot show.
"""

import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import types
from pathlib import Path

import numpy as np

from gpukeras.kernels import gpu, gpu_optim

HERE = Path(__file__).resolve().parent
EMULATED_DTYPES = ("float32", "float64", "float16", "bfloat16")
#: dtypes the loader tests compare with the twins (NumPy has no bfloat16 without ml_dtypes).
COMPARED_DTYPES = ("float32", "float64", "float16")
_GUARD = 64  # elements of guard zone on each side of every emulated device buffer


class EmulatorError(RuntimeError):
    """A kernel misbehaved under emulation (divergent barrier, bad shuffle, stray write)."""


def compiler():
    """The host C++ compiler, or None."""
    return shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")


_SIGNATURE = re.compile(r'extern\s+"C"\s+void\s+(\w+)\s*\(([^)]*)\)\s*\{')


_PROBE = r"""
#include <ucontext.h>
#include <string.h>
extern "C" unsigned short probe(float f) {
    ucontext_t c; getcontext(&c);
    _Float16 h = (_Float16)f; unsigned short b; memcpy(&b, &h, 2); return b;
}
"""


def probe():
    """``(ok, reason)``: whether this machine can build the emulator (a C++17 compiler with
    ``_Float16`` and ``ucontext``: GCC >= 12 or Clang on Linux x86-64 / AArch64)."""
    cxx = compiler()
    if cxx is None:
        return False, "no host C++ compiler (g++) found"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.cpp"
        src.write_text(_PROBE)
        proc = subprocess.run([cxx, "-std=c++17", "-shared", "-fPIC", str(src), "-o",
                               str(Path(tmp) / "probe.so")], capture_output=True, text=True)
    if proc.returncode != 0:
        return False, f"{cxx} cannot build the emulator (needs _Float16 and ucontext): " \
                      f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}"
    return True, ""


def _kernel_signatures(preprocessed):
    """{kernel name: [parameter type text]} of the extern "C" kernels in preprocessed source."""
    kernels = {}
    for m in _SIGNATURE.finditer(preprocessed):
        name, params = m.group(1), m.group(2).strip()
        if name.startswith("gk_emu") or not params or params == "void":
            continue
        types_ = []
        for param in params.split(","):
            param = " ".join(param.replace("__restrict__", " ").split())
            pm = re.fullmatch(r"(.*?[\s*&])(\w+)", param)
            if pm is None:
                raise EmulatorError(f"cannot parse parameter {param!r} of kernel {name}")
            types_.append(pm.group(1).strip())
        kernels[name] = types_
    return kernels


def _stubs(kernels):
    """C++ launch stubs (``gk_stub_<k>(void** args)``) and parameter descriptions per kernel."""
    out = ["#include <string>"]
    for name, types_ in kernels.items():
        call = ", ".join(f"*({t}*)a[{i}]" for i, t in enumerate(types_))
        kinds = ' + "," + '.join(f"std::string(gk_emu_kind<{t}>())" for t in types_)
        out.append(f'extern "C" void gk_stub_{name}(void** a) {{ {name}({call}); }}')
        out.append(f'extern "C" const char* gk_sig_{name}() {{ static const std::string s = '
                   f'{kinds}; return s.c_str(); }}')
    return "\n".join(out) + "\n"


def _build(cache_dir, extra_source="", with_kernels=True):
    kernels = [gpu.read_source(f) for f in gpu.SOURCES] if with_kernels else []
    source = "\n".join([(HERE / "cuda_emulator.h").read_text()] + kernels + [extra_source])
    defines = ["-DGK_SELECT_DTYPES"] + [f"-DGK_WITH_{d}" for d in EMULATED_DTYPES]
    digest = hashlib.sha256((source + " ".join(defines)).encode()).hexdigest()[:16]
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    lib = Path(cache_dir) / f"gk_emulated_{digest}.so"
    if not lib.exists():
        src = Path(cache_dir) / f"gk_emulated_{digest}.{os.getpid()}.cpp"
        src.write_text(source)
        flags = ["-std=c++17", *defines]
        pre = subprocess.run([compiler(), "-E", "-P", *flags, str(src)], capture_output=True,
                             text=True)
        if pre.returncode != 0:
            raise EmulatorError(f"preprocessing the kernels failed:\n{pre.stderr}")
        src.write_text(source + _stubs(_kernel_signatures(pre.stdout)))
        tmp = lib.with_name(f"{lib.name}.{os.getpid()}.tmp")
        cmd = [compiler(), *flags, "-O1", "-shared", "-fPIC", "-Wno-unknown-pragmas",
               str(src), "-o", str(tmp)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise EmulatorError(f"host build of the kernels failed:\n{proc.stdout}{proc.stderr}")
        os.replace(tmp, lib)  # atomic: concurrent test runs never load a half-written library
        src.unlink()
    return lib


def default_cache_dir():
    """Where built emulator libraries are kept between test runs (keyed by a source hash)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"gpukeras-kernel-emulator-{uid}"


_SCALARS = {"i4": np.int32, "i8": np.int64, "f4": np.float32, "f8": np.float64}
_CTYPES = {"i4": ctypes.c_int32, "i8": ctypes.c_int64, "f4": ctypes.c_float,
           "f8": ctypes.c_double}


def _marshal(name, i, arg, kind):
    """A ctypes value for parameter ``i`` of kernel ``name``, which has type ``kind``."""
    if kind == "p":
        if not isinstance(arg, np.ndarray):
            raise TypeError(f"{name}: argument {i} must be an array, got {type(arg).__name__}")
        return ctypes.c_void_p(arg.ctypes.data)
    if isinstance(arg, np.ndarray) or type(arg) is not _SCALARS[kind]:
        # CuPy would pass a Python scalar as a 64-bit value whatever the kernel expects.
        raise TypeError(f"{name}: argument {i} is {arg!r} of type {type(arg).__name__}, but the "
                        f"kernel takes {_SCALARS[kind].__name__} (NumPy scalars of an explicit "
                        "width only)")
    return _CTYPES[kind](arg)


class Emulator:
    """The emulated kernels of one host build, launched like cupy.cuda.Function objects."""

    def __init__(self, cache_dir, extra_source="", with_kernels=True):
        """Build (or reuse from ``cache_dir``) gpukeras' kernels (unless not ``with_kernels``)
        plus ``extra_source`` (test kernels)."""
        self.lib = lib = ctypes.CDLL(str(_build(cache_dir, extra_source, with_kernels)))
        lib.gk_emu_launch.restype = ctypes.c_int
        lib.gk_emu_launch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)] + \
            [ctypes.c_uint] * 6 + [ctypes.POINTER(ctypes.c_longlong)]
        lib.gk_emu_seed.argtypes = [ctypes.c_ulonglong]
        self.seed(12345)
        self.buffers = []   # (base array, sentinel) of live outputs, guard-checked per launch
        self.launches = []  # (name, grid, block) of every launch, for tests to inspect

    def seed(self, seed):
        """Reseed the (reproducible) random order in which threads run between barriers."""
        self.lib.gk_emu_seed(seed)

    def kernel(self, name):
        """A launcher for extern "C" kernel ``name`` (AttributeError if there is none)."""
        stub = ctypes.cast(getattr(self.lib, f"gk_stub_{name}"), ctypes.c_void_p)
        sig = getattr(self.lib, f"gk_sig_{name}")
        sig.restype = ctypes.c_char_p
        kinds = sig().decode().split(",")
        return lambda grid, block, args, shared_mem=0, stream=None: self.launch(
            name, stub, kinds, grid, block, args)

    def launch(self, name, stub, kinds, grid, block, args):
        grid = tuple(int(g) for g in grid) + (1,) * (3 - len(grid))
        block = tuple(int(b) for b in block) + (1,) * (3 - len(block))
        threads = block[0] * block[1] * block[2]
        if not (1 <= threads <= 1024 and block[2] <= 64 and min(grid) >= 1
                and grid[0] < 2 ** 31 and max(grid[1:]) < 65536):
            raise EmulatorError(f"{name}: invalid launch configuration grid={grid} block={block}")
        if len(args) != len(kinds):
            raise TypeError(f"{name} takes {len(kinds)} arguments, got {len(args)}")
        self.launches.append((name, grid, block))
        values = [_marshal(name, i, a, k) for i, (a, k) in enumerate(zip(args, kinds))]
        argv = (ctypes.c_void_p * len(values))(
            *[ctypes.cast(ctypes.pointer(v), ctypes.c_void_p) for v in values])
        failed = ctypes.c_longlong(-1)
        code = self.lib.gk_emu_launch(stub, argv, *grid, *block, ctypes.byref(failed))
        if code:
            what = {1: "a __syncthreads/shuffle barrier was not reached by every thread "
                       "(divergent barrier)",
                    2: "a warp shuffle without a full warp or full mask"}.get(code, str(code))
            raise EmulatorError(f"{name} block {failed.value}: {what}")
        self.check_guards(name)

    # -- device buffers with guard zones -------------------------------------------------------
    def alloc(self, shape, dtype, fill):
        shape = tuple(shape)
        size = int(np.prod(shape, dtype=np.int64))
        base = np.full(size + 2 * _GUARD, fill, dtype=dtype)
        view = base[_GUARD:_GUARD + size].reshape(shape)
        return base, view

    def output(self, shape, dtype):
        dtype = np.dtype(dtype)
        sentinel = np.array(-1234, dtype=dtype)  # exact in every dtype
        base, view = self.alloc(shape, dtype, sentinel)
        self.buffers.append((base, sentinel))
        return view

    def check_guards(self, name):
        for base, sentinel in self.buffers:
            guards = np.concatenate([base[:_GUARD], base[-_GUARD:]])
            if not np.all(guards == sentinel):
                raise EmulatorError(f"{name} wrote outside an output buffer")
        self.buffers.clear()

    def input_copy(self, a):
        """A C-contiguous copy of ``a`` whose surroundings read as NaN (or a huge int)."""
        a = np.asarray(a)
        fill = np.nan if a.dtype.kind == "f" else (np.iinfo(a.dtype).max if a.dtype.kind in "iu"
                                                   else 0)
        _, view = self.alloc(a.shape, a.dtype, fill)
        view[...] = a
        return view


def fake_cupy(emu):
    """A module object with the slice of CuPy's API that gpukeras.kernels.gpu uses."""
    cp = types.SimpleNamespace()
    cp.int64 = np.int64
    cp.asarray = np.asarray
    cp.asnumpy = np.asarray
    cp.maximum, cp.minimum = np.maximum, np.minimum
    cp.ascontiguousarray = emu.input_copy
    cp.empty_like = lambda a: emu.output(a.shape, a.dtype)
    cp.empty = lambda shape, dtype: emu.output(shape, dtype)
    cp.zeros = lambda shape, dtype: np.zeros(shape, dtype)

    def no_stream():
        raise RuntimeError("no streams under emulation")

    cp.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDevice=lambda: 0),
                                    get_current_stream=no_stream)
    return cp


@contextlib.contextmanager
def emulated_gpu(emu, max_grid=None):
    """Route gpukeras.kernels.gpu through the emulator while the block runs."""
    cp = fake_cupy(emu)
    saved = gpu._cupy, gpu._function, gpu._MAX_GRID, dict(gpu._ERROR_BUFFERS)
    tables = gpu_optim._OPT_TABLES.copy()   # real-GPU tables must not leak into emulated launches

    def function(filename, dtype, name):
        if name not in gpu.entry_points(filename, dtype):
            raise AssertionError(f"{name} is not an entry point of {filename} for {dtype}")
        if dtype not in EMULATED_DTYPES:
            raise AssertionError(f"{dtype} kernels cannot be emulated")
        return emu.kernel(name)

    gpu._cupy, gpu._function = (lambda: cp), function
    gpu._ERROR_BUFFERS.clear()
    gpu_optim._OPT_TABLES.clear()
    if max_grid is not None:
        gpu._MAX_GRID = max_grid
    try:
        yield emu
    finally:
        gpu._cupy, gpu._function, gpu._MAX_GRID = saved[:3]
        gpu._ERROR_BUFFERS.clear()
        gpu._ERROR_BUFFERS.update(saved[3])
        gpu_optim._OPT_TABLES.clear()
        gpu_optim._OPT_TABLES.update(tables)
