"""Timing helpers, run options and child-process plumbing shared by the workloads."""

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TF32_MODES = ("off", "on")


@dataclass
class Options:
    """What the runner was asked for: TF32 modes of the GPU rows, and quick (fewer repeats)."""

    tf32: tuple = ("off",)
    quick: bool = False
    #: Which peers run besides gpukeras and the hand-written loop: "all", "torch" or "none".
    peers: str = "all"
    #: CPU sections run every implementation this many times in turn and report the median:
    #: a shared machine's slow spells then hit each of them, not one.
    rounds: int = 3

    def round_count(self):
        return 1 if self.quick else max(1, self.rounds)

    def repeats(self, n):
        """``n`` repeats normally, 1 (3 where ``n`` is large) in a quick run."""
        return n if not self.quick else (3 if n >= 10 else 1)


def timeit(fn, repeat=7, warmup=2, sync=None):
    """Median seconds per call of ``fn`` (``sync`` waits for queued device work)."""
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timeit_interleaved(fns, repeat=7, warmup=2):
    """Median seconds per call of each of ``fns`` (name -> function), their repeats taken in
    turn: a machine that slows down for a while slows all of them, not just one, so their
    ratios hold better than those of back-to-back ``timeit`` runs."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def torch_or_none():
    """PyTorch if it imports, else None (peers are optional)."""
    try:
        import torch
    except Exception:
        return None
    return torch


def cupy_sync():
    import cupy
    return cupy.cuda.get_current_stream().synchronize


def process_tf32():
    """TF32 mode CuPy picks in this process from ``CUPY_TF32`` ("on" or "off")."""
    try:
        return "on" if int(os.environ.get("CUPY_TF32", "0")) > 0 else "off"
    except ValueError:
        return "off"


def set_torch_tf32(torch, mode):
    """Allow (``"on"``) or forbid (``"off"``) TF32 in PyTorch's float32 matmuls and convolutions."""
    on = mode == "on"
    precision = "tf32" if on else "ieee"
    try:  # PyTorch >= 2.9; the allow_tf32 flags are on their way out there
        torch.backends.cuda.matmul.fp32_precision = precision
    except (AttributeError, RuntimeError, TypeError):
        torch.backends.cuda.matmul.allow_tf32 = on
    try:
        torch.backends.cudnn.conv.fp32_precision = precision
    except (AttributeError, RuntimeError, TypeError):
        torch.backends.cudnn.allow_tf32 = on


def torch_tf32():
    """Whether PyTorch's float32 matmuls may use TF32 here ("on"/"off"), or None."""
    torch = torch_or_none()
    if torch is None:
        return None
    try:
        return "on" if torch.backends.cuda.matmul.fp32_precision == "tf32" else "off"
    except (AttributeError, RuntimeError):
        return "on" if torch.backends.cuda.matmul.allow_tf32 else "off"


def cpu_env():
    """Environment of a CPU peer: JAX, PyTorch and CuPy see no GPU even on a GPU machine."""
    env = dict(os.environ, JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def gpu_env(mode):
    """Environment of a GPU child with TF32 ``mode`` for CuPy, PyTorch, JAX and cuBLAS."""
    env = dict(os.environ, CUPY_TF32="1" if mode == "on" else "0", GK_BENCH_TF32=mode,
               JAX_DEFAULT_MATMUL_PRECISION="tensorfloat32" if mode == "on" else "highest")
    env.pop("JAX_PLATFORMS", None)
    if env.get("CUDA_VISIBLE_DEVICES") == "":
        env.pop("CUDA_VISIBLE_DEVICES")
    if mode == "off":
        env["NVIDIA_TF32_OVERRIDE"] = "0"   # cuBLAS/cuDNN never use TF32, whatever a library asks
    else:
        env.pop("NVIDIA_TF32_OVERRIDE", None)
    # JAX grabs 75% of the GPU by default; half leaves room for a parent holding CuPy memory.
    env.setdefault("XLA_PYTHON_CLIENT_MEM_FRACTION", "0.5")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def run_child(module, args, env, timeout=600, python=None):
    """Run ``python -m module args`` (this interpreter unless ``python`` names another) and
    parse the JSON of its last stdout line.

    Returns ``(result, None)`` or ``(None, why)``: a child failing never stops the runner.
    """
    cmd = [python or sys.executable, "-m", module, *args]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    except OSError as exc:
        return None, f"could not start: {exc}"
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"failed: {tail[:100]}"
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1]), None
    except (IndexError, ValueError):
        return None, "failed: no JSON result on stdout"
