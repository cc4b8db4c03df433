"""Compile every CUDA source in this folder without a GPU and without CuPy.

NVRTC is loaded with ctypes from the ``nvidia-cuda-nvrtc`` wheel (or a system CUDA). Every
kernel name the loader uses is added as an NVRTC name expression, so the compilation fails if
one is missing or lost its C linkage (the extern "C" entry points are what instantiate the
templates), and warnings are errors. Without NVRTC it falls back to ``nvcc --ptx`` and checks
the PTX's entry points. ``python -m gpukeras.kernels.compile_check`` prints a summary.
"""

import argparse
import ctypes
import ctypes.util
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from . import gpu

NVRTC_SUCCESS = 0
NVRTC_ERROR_INVALID_OPTION = 5
WERROR = "-Werror=all-warnings"


class CompilerNotFoundError(RuntimeError):
    """Neither NVRTC nor nvcc is available on this machine."""


def _wheel_nvrtc_candidates():
    """libnvrtc paths inside the installed ``nvidia-*`` wheels (namespace package ``nvidia``)."""
    try:
        spec = importlib.util.find_spec("nvidia")
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec else []
    found = []
    for root in roots:
        for pattern in ("cu13/lib/libnvrtc.so.13", "cuda_nvrtc/lib/libnvrtc.so.12",
                        "cu*/lib/libnvrtc.so.*", "cuda_nvrtc/lib/libnvrtc.so.*",
                        "cu*/bin/nvrtc64_*.dll", "cuda_nvrtc/bin/nvrtc64_*.dll"):
            for path in sorted(glob.glob(os.path.join(root, pattern)), reverse=True):
                if "builtins" not in os.path.basename(path) and path not in found:
                    found.append(path)
    return found


def find_nvrtc():
    """Path (or loadable name) of an NVRTC library, preferring the pip wheel; None if absent."""
    candidates = _wheel_nvrtc_candidates()
    cuda_home = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    if cuda_home:
        candidates += sorted(glob.glob(os.path.join(cuda_home, "lib64", "libnvrtc.so*")))
    system = ctypes.util.find_library("nvrtc")
    if system:
        candidates.append(system)
    for path in candidates:
        try:
            ctypes.CDLL(path)
        except OSError:
            continue
        return path
    return None


class _NVRTC:
    """The few NVRTC entry points we need, through ctypes."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        self.path = path
        self.lib = lib
        p, c, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int
        lib.nvrtcGetErrorString.restype = c
        lib.nvrtcGetErrorString.argtypes = [i]
        lib.nvrtcVersion.argtypes = [ctypes.POINTER(i), ctypes.POINTER(i)]
        lib.nvrtcCreateProgram.argtypes = [ctypes.POINTER(p), c, c, i,
                                           ctypes.POINTER(c), ctypes.POINTER(c)]
        lib.nvrtcDestroyProgram.argtypes = [ctypes.POINTER(p)]
        lib.nvrtcAddNameExpression.argtypes = [p, c]
        lib.nvrtcCompileProgram.argtypes = [p, i, ctypes.POINTER(c)]
        lib.nvrtcGetProgramLogSize.argtypes = [p, ctypes.POINTER(s)]
        lib.nvrtcGetProgramLog.argtypes = [p, c]
        lib.nvrtcGetPTXSize.argtypes = [p, ctypes.POINTER(s)]
        lib.nvrtcGetLoweredName.argtypes = [p, c, ctypes.POINTER(c)]

    def version(self):
        major, minor = ctypes.c_int(), ctypes.c_int()
        self.lib.nvrtcVersion(ctypes.byref(major), ctypes.byref(minor))
        return major.value, minor.value

    def error(self, code):
        return self.lib.nvrtcGetErrorString(code).decode()

    def compile(self, source, filename, name_expressions, options):
        """(result code, log, {expression: lowered name}) of one NVRTC compilation."""
        lib = self.lib
        prog = ctypes.c_void_p()
        code = lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), filename.encode(),
                                      0, None, None)
        if code != NVRTC_SUCCESS:
            return code, f"nvrtcCreateProgram failed: {self.error(code)}", {}
        try:
            for expr in name_expressions:
                code = lib.nvrtcAddNameExpression(prog, expr.encode())
                if code != NVRTC_SUCCESS:
                    return code, f"nvrtcAddNameExpression({expr!r}) failed: {self.error(code)}", {}
            opts = [o.encode() for o in options]
            code = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
            size = ctypes.c_size_t()
            lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
            buf = ctypes.create_string_buffer(size.value)
            lib.nvrtcGetProgramLog(prog, buf)
            log = buf.value.decode(errors="replace").strip()
            lowered = {}
            if code == NVRTC_SUCCESS:
                for expr in name_expressions:
                    out = ctypes.c_char_p()
                    rc = lib.nvrtcGetLoweredName(prog, expr.encode(), ctypes.byref(out))
                    if rc != NVRTC_SUCCESS or not out.value:
                        return rc or 1, f"{log}\nno lowered name for {expr!r}".strip(), {}
                    lowered[expr] = out.value.decode()
                ptx_size = ctypes.c_size_t()
                lib.nvrtcGetPTXSize(prog, ctypes.byref(ptx_size))
                if ptx_size.value <= 1:
                    return 1, f"{log}\nNVRTC produced no code".strip(), {}
            return code, log, lowered
        finally:
            lib.nvrtcDestroyProgram(ctypes.byref(prog))


def _arch_number(arch):
    m = re.fullmatch(r"(?:sm_|compute_)?(\d+[a-z]?)", str(arch))
    if not m:
        raise ValueError(f"architecture must look like 'sm_90' or 'compute_90', got {arch!r}")
    return m.group(1)


def compile_source(source, filename="kernel.cu", kernels=(), arch="sm_90", options=(),
                   compiler="auto"):
    """Compile CUDA ``source`` for ``arch`` with warnings as errors: ``(ok, log)``.

    ``kernels`` are extern "C" kernel names (or NVRTC name expressions) that must come out of
    the compilation; ``options`` are extra compiler options (e.g. ``-D`` macros). ``compiler``
    is "nvrtc", "nvcc" or "auto" (NVRTC when found, else nvcc). Raises CompilerNotFoundError
    when the requested compiler (or, for "auto", either) is missing.
    """
    if compiler in ("auto", "nvrtc"):
        path = find_nvrtc()
        if path is not None:
            return _compile_nvrtc(_NVRTC(path), source, filename, kernels, arch, options)
        if compiler == "nvrtc":
            raise CompilerNotFoundError(
                "NVRTC was not found: pip install nvidia-cuda-nvrtc (or nvidia-cuda-nvrtc-cu12), "
                "or put a CUDA toolkit's libnvrtc on the library path")
    if compiler in ("auto", "nvcc"):
        nvcc = shutil.which("nvcc")
        if nvcc is not None:
            return _compile_nvcc(nvcc, source, filename, kernels, arch, options)
        raise CompilerNotFoundError(
            "no CUDA compiler found: neither NVRTC (pip install nvidia-cuda-nvrtc) nor nvcc "
            "(a CUDA toolkit on PATH) is available, so the .cu sources cannot be checked")
    raise ValueError(f"compiler must be 'auto', 'nvrtc' or 'nvcc', got {compiler!r}")


def _compile_nvrtc(nvrtc, source, filename, kernels, arch, extra):
    options = [f"--gpu-architecture=sm_{_arch_number(arch)}", "-std=c++17", WERROR, *extra]
    code, log, lowered = nvrtc.compile(source, filename, kernels, options)
    if code == NVRTC_ERROR_INVALID_OPTION and WERROR in options:  # NVRTC too old for it
        options.remove(WERROR)
        code, log, lowered = nvrtc.compile(source, filename, kernels, options)
        log = f"(this NVRTC does not support {WERROR}; warnings were not errors)\n{log}".strip()
    if code != NVRTC_SUCCESS:
        major, minor = nvrtc.version()
        return False, f"NVRTC {major}.{minor} ({nvrtc.error(code)}), options {options}:\n{log}"
    mangled = [k for k in kernels if re.fullmatch(r"\w+", k) and lowered.get(k) != k]
    if mangled:  # a plain name came out C++-mangled: its extern "C" is missing
        return False, f"{log}\nkernels without C linkage: {mangled}".strip()
    return True, log


def _compile_nvcc(nvcc, source, filename, kernels, arch, extra):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, os.path.basename(filename))
        out = os.path.join(tmp, "out.ptx")
        with open(src, "w", encoding="utf-8") as f:
            f.write(source)
        cmd = [nvcc, "--ptx", f"-arch=sm_{_arch_number(arch)}", "-std=c++17", WERROR, *extra,
               src, "-o", out]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        log = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0:
            return False, f"nvcc failed ({' '.join(cmd)}):\n{log}"
        with open(out, encoding="utf-8") as f:
            entries = set(re.findall(r"^\s*\.(?:visible\s+)?\.entry\s+(\w+)", f.read(), re.M))
        missing = [k for k in kernels if k not in entries]
        if missing:
            return False, f"{log}\nkernels missing from the PTX: {missing}".strip()
        return True, log


def source_files():
    """The .cu files of this folder, sorted."""
    return sorted(p.name for p in gpu.KERNEL_DIR.glob("*.cu"))


def kernel_names(filename, dtypes=None):
    """Every entry point of ``filename`` the loader may ask for (all dtypes by default)."""
    names = []
    for dtype in dtypes or gpu.DTYPES:
        names += gpu.entry_points(filename, dtype)
    return names


def compile_all(arch="sm_90", compiler="auto", per_dtype=False, jobs=None):
    """Compile every .cu file here for ``arch``: a list of ``(filename, ok, log)``.

    By default each file is compiled once with every dtype's entry points; ``per_dtype`` also
    compiles exactly the per-dtype modules the CuPy loader builds (labelled "file [dtype]").
    Compilations run in ``jobs`` threads (NVRTC is thread-safe; nvcc runs as subprocesses).
    """
    tasks, results = [], {}
    for filename in source_files():
        try:
            names = kernel_names(filename)
        except KeyError as exc:
            results[filename] = (False, f"{exc.args[0]} (list it in gpu.entry_points)")
            continue
        source = gpu.read_source(filename)
        tasks.append((filename, filename, source, names, gpu.COMPILE_OPTIONS))
        if per_dtype:
            for dtype in gpu.DTYPES:
                tasks.append((f"{filename} [{dtype}]", filename, source,
                              gpu.entry_points(filename, dtype),
                              gpu.module_options(dtype, filename)))

    def run(task):
        label, filename, source, names, options = task
        return label, compile_source(source, filename, names, arch, options, compiler)

    if tasks:
        with ThreadPoolExecutor(max_workers=jobs or min(8, len(tasks))) as pool:
            for label, outcome in pool.map(run, tasks):
                results[label] = outcome
    return [(label, ok, log) for label, (ok, log) in results.items()]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gpukeras.kernels.compile_check",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["sm_80", "sm_90"])
    parser.add_argument("--compiler", choices=("auto", "nvrtc", "nvcc"), default="auto")
    parser.add_argument("--per-dtype", action="store_true",
                        help="also compile each per-dtype module exactly as the loader does")
    args = parser.parse_args(argv)
    path = find_nvrtc() if args.compiler != "nvcc" else None
    if path:
        major, minor = _NVRTC(path).version()
        print(f"compiler: NVRTC {major}.{minor} ({path})")
    else:
        print(f"compiler: {shutil.which('nvcc') or 'none found'}")
    failed = 0
    try:
        with ThreadPoolExecutor(max_workers=len(args.arch)) as pool:
            runs = [pool.submit(compile_all, arch, args.compiler, args.per_dtype)
                    for arch in args.arch]
            for arch, run in zip(args.arch, runs):
                for filename, ok, log in run.result():
                    print(f"  {arch}  {filename:<28} {'ok' if ok else 'FAILED'}")
                    if log:
                        print("    " + log.replace("\n", "\n    "))
                    failed += not ok
    except CompilerNotFoundError as exc:
        print(f"error: {exc}")
        return 2
    print("all kernels compiled" if not failed else f"{failed} compilation(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
