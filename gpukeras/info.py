"""``python -m gpukeras info``: what gpukeras will run on here, and whether its kernels compile.

Reports the selected backend and device, library versions (gpukeras, Python, NumPy, h5py, CuPy
with the CUDA runtime and driver), the backends available on this machine, which CPU kernels run
(compiled C or the NumPy twins), and the result of compiling every custom CUDA kernel with NVRTC
(``gpukeras.kernels.compile_check``).
"""

import os
import platform
import sys

__all__ = ["collect", "format_report", "kernel_report", "main"]


def _versions():
    import numpy
    import gpukeras
    found = {"gpukeras": gpukeras.__version__, "python": platform.python_version(),
             "numpy": numpy.__version__}
    try:
        import h5py
        found["h5py"] = h5py.__version__
    except Exception as exc:  # a missing or broken h5py must not stop the report
        found["h5py"] = f"not importable ({exc.__class__.__name__})"
    return found


def _selected():
    """``(backend name, device description, error)`` for the backend new tensors would use."""
    from . import backends
    try:
        spec = backends.current_device()
        backend = backends.backend_for(spec)
        return backend.name, f"{spec.tf_name} ({backend.device_name(spec.index)})", None
    except Exception as exc:  # BackendUnavailableError, or a broken CUDA install
        return None, None, f"{exc.__class__.__name__}: {exc}"


def _gpus():
    """``(versions, [gpu names], reason)``: CuPy's view of the GPUs, or why there is none."""
    from . import backends
    from .backends.cupy_backend import probe
    ok, reason = probe()
    if not ok:
        return {}, [], reason
    try:
        gpu = backends.backend_for(backends.DeviceSpec("gpu"))
        names = [gpu.device_name(i) for i in range(gpu.device_count())]
        return gpu.versions(), names, ""
    except Exception as exc:
        return {}, [], f"{exc.__class__.__name__}: {exc}"


def _local_arch():
    """``"sm_XY"`` of GPU 0 when CuPy sees one, else ``"sm_90"`` (the main target)."""
    from . import backends
    try:
        if "cupy" in backends.available():
            gpu = backends.backend_for(backends.DeviceSpec("gpu"))
            return "sm_" + str(gpu.xp.cuda.Device(0).compute_capability)
    except Exception:  # a broken driver: fall back to the default target
        pass
    return "sm_90"


def kernel_report(arch=None):
    """``(arch, results, reason)``: ``[(file, ok, log), ...]`` from compiling every kernel for
    ``arch`` (this machine's GPU, else sm_90) with NVRTC or nvcc, or why that was not possible."""
    arch = arch or _local_arch()
    try:
        from .kernels import compile_check
        results = compile_check.compile_all(arch=arch)
    except Exception as exc:  # the module may be missing, or no compiler be installed
        return arch, None, f"{exc.__class__.__name__}: {exc}"
    return arch, [(str(f), bool(ok), "" if log is None else str(log))
                  for f, ok, log in results], ""


def collect(check_kernels=True):
    """Everything the report shows, as a dict."""
    from . import backends
    name, device, error = _selected()
    gpu_versions, gpu_names, gpu_reason = _gpus()
    arch, kernels, kernel_reason = (kernel_report() if check_kernels
                                    else (None, None, "skipped (--no-kernels)"))
    return {
        "requested": os.environ.get("GPUKERAS_BACKEND", "auto"),
        "backend": name, "device": device, "error": error,
        "versions": {**_versions(), **gpu_versions},
        "available": backends.available(),
        "gpus": gpu_names, "gpu_reason": gpu_reason,
        "kernels": kernels, "kernel_reason": kernel_reason, "kernel_arch": arch,
        "cpu_kernels": _cpu_kernels(),
    }


def _cpu_kernels():
    """Which CPU kernels run: the compiled C ones, or the NumPy twins and why."""
    try:
        from .kernels import cpu_native
        return cpu_native.status()
    except Exception as exc:  # a broken compiler must not stop the report
        return f"NumPy twins ({exc.__class__.__name__}: {exc})"


def format_report(info):
    """The report as text, one fact per line."""
    lines = [f"gpukeras {info['versions']['gpukeras']}"]
    requested = f"GPUKERAS_BACKEND={info['requested']}"
    if info["error"]:
        lines.append(f"backend:            UNAVAILABLE ({requested}): {info['error']}")
    else:
        lines.append(f"backend:            {info['backend']} ({requested})")
        lines.append(f"device:             {info['device']}")
    lines.append(f"available backends: {', '.join(info['available'])}")
    if info["gpus"]:
        for i, gpu in enumerate(info["gpus"]):
            lines.append(f"GPU {i}:              {gpu}")
    else:
        lines.append(f"GPUs:               none ({info['gpu_reason']})")
    lines.append("versions:")
    for lib, version in info["versions"].items():
        lines.append(f"  {lib + ':':<18}{version}")
    lines.append(f"CPU kernels:        {info['cpu_kernels']}")
    kernels = info["kernels"]
    if kernels is None:
        lines.append(f"custom kernels:     not checked: {info['kernel_reason']}")
    elif not kernels:
        lines.append("custom kernels:     no kernel sources found")
    else:
        failed = sum(not ok for _, ok, _ in kernels)
        verdict = "all compile" if not failed else f"{failed} FAILED"
        lines.append(f"custom kernels:     {len(kernels)} checked for {info['kernel_arch']}, "
                     f"{verdict}")
        for file, ok, log in kernels:
            lines.append(f"  {os.path.basename(file)}: {'ok' if ok else 'FAILED'}")
            if not ok and log:
                lines.extend("    " + line for line in log.strip().splitlines()[:20])
    return "\n".join(lines)


def main(check_kernels=True, out=None):
    """Print the report; 0 when the selected backend can run here, 1 when it cannot."""
    out = sys.stdout if out is None else out
    info = collect(check_kernels)
    print(format_report(info), file=out)
    return 1 if info["error"] else 0
