"""2-D GEMMs through cuBLAS called directly (ctypes on the libcublas CuPy already loaded).

Why not ``cupy.matmul``: CuPy's cuBLAS wrappers refuse to run while a stream is being captured
into a CUDA graph (its ``setStream`` raises NotImplementedError), which would keep every
Dense layer out of a captured training step; CuPy's matmul also costs tens of microseconds of
host time per call. Here each thread owns one handle per device with a fixed workspace (what
cuBLAS needs to be capturable), operands in either C or Fortran order are passed with
transpose flags instead of copies, and ``TF32`` selects tensor-float-32 math for float32.

``matmul(a, b)`` returns ``a @ b`` for 2-D float16/float32/float64 CuPy arrays, or None when
the operands are outside that (batched, mixed or strided): the caller then uses cupy.matmul.
"""

import ctypes
import ctypes.util
import os
import threading

#: Tensor-float-32 math for float32 products (``tf.config.experimental.
#: enable_tensor_float_32_execution``); off by default like CuPy and PyTorch, on with CUPY_TF32=1.
TF32 = os.environ.get("CUPY_TF32", "0") == "1"

_OP_N, _OP_T = 0, 1
_DEFAULT_MATH, _TF32_MATH = 0, 3
_CUDA_R_16F, _CUDA_R_32F = 2, 0
_COMPUTE_32F = 68
_GEMM_DEFAULT = -1
_WORKSPACE_BYTES = 32 << 20

_LOCK = threading.Lock()
_LIB = []            # [ctypes library] once loaded, [None] when cuBLAS cannot be reached
_LOCAL = threading.local()


def _find_loaded_cublas():
    """The path of the libcublas this process loaded (through CuPy), else a system one."""
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                path = line.split()[-1] if line.strip() else ""
                name = path.rsplit("/", 1)[-1]
                if name.startswith("libcublas.so"):
                    return path
    except OSError:
        pass
    return ctypes.util.find_library("cublas")


def _library():
    if _LIB:
        return _LIB[0]
    with _LOCK:
        if _LIB:
            return _LIB[0]
        lib = None
        try:
            import cupy
            cupy.ones((2, 2), cupy.float32) @ cupy.ones((2, 2), cupy.float32)  # loads cuBLAS
            path = _find_loaded_cublas()
            lib = ctypes.CDLL(path) if path else None
        except (ImportError, OSError):
            lib = None
        if lib is not None:
            p, i, sz = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t
            for name, args in (
                    ("cublasCreate_v2", [ctypes.POINTER(p)]),
                    ("cublasSetStream_v2", [p, p]),
                    ("cublasSetWorkspace_v2", [p, p, sz]),
                    ("cublasSetMathMode", [p, i]),
                    ("cublasSgemm_v2", [p, i, i, i, i, i, p, p, i, p, i, p, p, i]),
                    ("cublasDgemm_v2", [p, i, i, i, i, i, p, p, i, p, i, p, p, i]),
                    ("cublasGemmEx", [p, i, i, i, i, i, p, p, i, i, p, i, i, p, p, i, i, i, i])):
                fn = getattr(lib, name)
                fn.argtypes, fn.restype = args, ctypes.c_int
        _LIB.append(lib)
        return lib


def _check(status, what):
    if status != 0:
        raise RuntimeError(f"cuBLAS {what} failed with status {status}")


class _Handle:
    """One cuBLAS handle of one device, with its workspace, stream and math mode."""

    def __init__(self, lib, cupy):
        self.lib = lib
        self.ptr = ctypes.c_void_p()
        _check(lib.cublasCreate_v2(ctypes.byref(self.ptr)), "create")
        self.workspace = cupy.empty(_WORKSPACE_BYTES, dtype=cupy.uint8)
        _check(lib.cublasSetWorkspace_v2(self.ptr, ctypes.c_void_p(self.workspace.data.ptr),
                                         _WORKSPACE_BYTES), "set workspace")
        self.stream = None
        self.tf32 = None

    def ready(self, stream_ptr, tf32):
        if stream_ptr != self.stream:
            _check(self.lib.cublasSetStream_v2(self.ptr, ctypes.c_void_p(stream_ptr)),
                   "set stream")
            self.stream = stream_ptr
        if tf32 != self.tf32:
            _check(self.lib.cublasSetMathMode(self.ptr, _TF32_MATH if tf32 else _DEFAULT_MATH),
                   "set math mode")
            self.tf32 = tf32
        return self.ptr


def _handle(lib, cupy):
    handles = getattr(_LOCAL, "handles", None)
    if handles is None:
        handles = _LOCAL.handles = {}
    device = cupy.cuda.runtime.getDevice()
    h = handles.get(device)
    if h is None:
        h = handles[device] = _Handle(lib, cupy)
    return h.ready(cupy.cuda.get_current_stream().ptr, TF32)


def _layout(x):
    """(cuBLAS op, leading dimension) reading the row-major matrix ``x`` as column-major."""
    if x.flags.c_contiguous:
        return _OP_N, max(1, x.shape[1])
    if x.flags.f_contiguous:
        return _OP_T, max(1, x.shape[0])
    return None, None


_SCALARS = {"f": (ctypes.c_float, "cublasSgemm_v2"), "d": (ctypes.c_double, "cublasDgemm_v2"),
            "e": (ctypes.c_float, None)}


def matmul(a, b):
    """``a @ b`` for 2-D float CuPy arrays of one dtype (C or F order), else None."""
    if a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype.char not in _SCALARS:
        return None
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0 or k == 0:
        return None
    op_a, ld_a = _layout(a)
    op_b, ld_b = _layout(b)
    if op_a is None or op_b is None:
        return None
    lib = _library()
    if lib is None:
        return None
    import cupy
    out = cupy.empty((m, n), dtype=a.dtype)
    handle = _handle(lib, cupy)
    scalar, name = _SCALARS[a.dtype.char]
    one, zero = scalar(1.0), scalar(0.0)
    # Row-major C = A B is column-major C^T = B^T A^T: swap the operands, keep the flags.
    pa, pb, pc = (ctypes.c_void_p(x.data.ptr) for x in (a, b, out))
    if name is not None:
        status = getattr(lib, name)(handle, op_b, op_a, n, m, k, ctypes.byref(one), pb, ld_b,
                                    pa, ld_a, ctypes.byref(zero), pc, n)
    else:   # float16 storage, float32 accumulation
        status = lib.cublasGemmEx(handle, op_b, op_a, n, m, k, ctypes.byref(one), pb,
                                  _CUDA_R_16F, ld_b, pa, _CUDA_R_16F, ld_a, ctypes.byref(zero),
                                  pc, _CUDA_R_16F, n, _COMPUTE_32F, _GEMM_DEFAULT)
    _check(status, "gemm")
    return out
