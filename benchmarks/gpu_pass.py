"""The GPU section of a training workload, one TF32 mode at a time.

CuPy reads ``CUPY_TF32`` once, at its first float32 matmul, so each mode runs in a child
process (``python -m benchmarks.gpu_pass WORKLOAD --tf32 off|on``) whose environment sets it,
PyTorch's and JAX's TF32 switches, and ``NVIDIA_TF32_OVERRIDE=0`` when off. The child measures,
back to back on one GPU: cuBLAS's float32 GEMM rate at the step's shapes, gpukeras[cupy], the
hand-written CuPy loop and native PyTorch CUDA; the parent then adds Keras 3 on JAX and on
PyTorch CUDA, each in its own child.
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np

from . import peers, training
from .common import TF32_MODES, Options, cupy_sync, gpu_env, run_child

GEMM_IMPL = "cuBLAS GEMM (step shapes)"

_SPIN_SRC = r"""
extern "C" __global__ void gk_bench_spin(unsigned long long ns) {
    unsigned long long start, now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
    do { asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now)); } while (now - start < ns);
}
"""


def _spin_kernel():
    """A one-thread kernel that busy-waits ``ns`` nanoseconds, or None if it will not build."""
    import cupy
    try:
        kernel = cupy.RawKernel(_SPIN_SRC, "gk_bench_spin")
        kernel((1,), (1,), (np.uint64(1000),))
        return kernel
    except Exception:
        return None


def device_seconds(fn, repeat=11, max_calls=50):
    """Median GPU seconds per call of ``fn`` (CuPy work on the current stream), by CUDA events.

    A spin kernel holds the stream while the host queues a batch of calls, so the events time
    the GPU running them back to back, free of the host's per-launch cost.
    """
    import cupy
    stream = cupy.cuda.get_current_stream()
    for _ in range(3):
        fn()
    stream.synchronize()
    t0 = time.perf_counter()
    for _ in range(5):
        fn()
    stream.synchronize()
    rough = (time.perf_counter() - t0) / 5           # host-bound: an upper bound on GPU time
    calls = int(min(max_calls, max(1, 5e-3 / max(rough, 1e-7))))
    spin, spin_ns = _spin_kernel(), 20_000_000
    start, end = cupy.cuda.Event(), cupy.cuda.Event()
    times = []
    while len(times) < repeat:
        if spin is not None:
            spin((1,), (1,), (np.uint64(spin_ns),))
        start.record(stream)
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        queued = time.perf_counter() - t0
        end.record(stream)
        end.synchronize()
        if spin is not None and queued > 0.5 * spin_ns / 1e9 and spin_ns < 1_000_000_000:
            spin_ns *= 4                              # the queue may have run dry: hold longer
            continue
        times.append(cupy.cuda.get_elapsed_time(start, end) / 1e3 / calls)
    return statistics.median(times)


def cublas_gemm_gflops(cfg, repeat=11):
    """cuBLAS float32 GEMM rate (GFLOP/s) through ``cupy.matmul`` over one step's GEMMs.

    The same products as ``training.gemm_gflops`` (forward, dW = a^T g, dx = g W^T), with the
    TF32 mode CuPy was started with; outputs are preallocated.
    """
    import cupy
    rng = np.random.default_rng(training.SEED)
    b, sizes = cfg["batch"], cfg["sizes"]
    mats = []
    for idx, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        a, w, g = (cupy.asarray(rng.standard_normal(s), dtype=cupy.float32)
                   for s in ((b, i), (i, o), (b, o)))
        outs = tuple(cupy.empty(s, dtype=cupy.float32) for s in ((b, o), (i, o), (b, i)))
        mats.append((a, w, g, idx > 0, outs))

    def step():
        for a, w, g, need_dx, (y, dw, dx) in mats:
            cupy.matmul(a, w, out=y)
            if cfg["train"]:
                cupy.matmul(a.T, g, out=dw)
                if need_dx:
                    cupy.matmul(g, w.T, out=dx)

    return training.step_flops(cfg) / device_seconds(step, repeat) / 1e9


def cupy_compute_type():
    """CuPy's float32 GEMM compute type as it names it (e.g. COMPUTE_TYPE_TF32), or None."""
    try:
        from cupy._core import _routines_linalg as linalg
        return str(linalg.compute_type_to_str(linalg.get_compute_type(np.float32)))
    except Exception:
        return None


def _attempt(fn):
    """``(fn(), None)`` or ``(None, why)``: one failing implementation never stops the rest."""
    try:
        return fn(), None
    except Exception as exc:  # noqa: BLE001 - the note says what went wrong
        return None, f"failed: {type(exc).__name__}: {str(exc)[:80]}"


def child_rows(name, mode, quick=False):
    """In the child: the cuBLAS GEMM row, gpukeras[cupy], hand-written CuPy and torch CUDA."""
    options = Options(tf32=(mode,), quick=quick)
    cfg = training.config(name, quick, gpu=True)
    gemm, note = _attempt(lambda: cublas_gemm_gflops(cfg, repeat=options.repeats(11)))
    compute = cupy_compute_type()
    if note is None and compute is not None and (compute == "COMPUTE_TYPE_TF32") != (mode == "on"):
        note = f"CuPy float32 compute type is {compute}"
    rows = [training.gemm_row(name, "GPU", GEMM_IMPL, gemm, tf32=mode, note=note)]
    ours, note = _attempt(lambda: training.run_gpukeras(cfg, "cupy", mode))
    rows.append(training.make_row(name, "GPU", "gpukeras[cupy]", ours, note=note, tf32=mode))

    def handwritten():
        import cupy
        return training.run_handwritten(cfg, cupy, cupy_sync())

    sps, note = _attempt(handwritten)
    rows.append(training.make_row(name, "GPU", "hand-written cupy", sps, ours, note, mode))
    sps, note = _attempt(lambda: training.run_torch(cfg, "cuda", mode))
    if sps is None and note is None:
        note = "torch+cuda not available"
    rows.append(training.make_row(name, "GPU", "torch cuda (nn.Module)", sps, ours, note, mode))
    training.add_pct_gemm(rows[1:], gemm)
    return rows


def gpu_section(name, mode, options, timeout=600):
    """Parent side: the child's rows for ``mode``, then Keras 3 on JAX and PyTorch on the GPU."""
    args = [name, "--tf32", mode] + (["--quick"] if options.quick else [])
    result, why = run_child("benchmarks.gpu_pass", args, gpu_env(mode), timeout)
    if result is None:
        rows = [training.make_row(name, "GPU", "gpukeras[cupy]", None,
                                  note=f"GPU pass {why}", tf32=mode)]
    else:
        rows = result["rows"]
    ours = next((r.get("samples_per_s") for r in rows if r["impl"] == "gpukeras[cupy]"), None)
    gemm = next((r.get("gflops") for r in rows if r["impl"] == GEMM_IMPL), None)
    added = []
    for kb in (peers.GPU_KERAS_BACKENDS if options.peers == "all" else ()):
        sps, info = peers.run_keras_peer(name, kb, options, gpu=True, tf32=mode, timeout=timeout)
        added.append(training.make_row(name, "GPU", f"keras-{kb} (GPU)", sps, ours,
                                       None if sps else info, mode))
    training.add_pct_gemm(added, gemm)
    return rows + added


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gpu_pass")
    parser.add_argument("workload", choices=sorted(training.CONFIGS))
    parser.add_argument("--tf32", choices=TF32_MODES, default="off")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rows = child_rows(args.workload, args.tf32, args.quick)
    print(json.dumps({"rows": rows, "compute_type": cupy_compute_type()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
