"""Per-op overhead: a chain of 200 small ops (64x64 float32) forward and backward under a tape.

The same chain runs with PyTorch autograd on the same device when PyTorch is installed; the
ratio gpukeras / PyTorch is the figure of merit (<= 1.0 means gpukeras is no slower).
"""

import numpy as np

from .common import Options, cupy_sync, process_tf32, set_torch_tf32, timeit, torch_or_none

N_OPS = 200
SIZE = 64


def _inputs():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((SIZE, SIZE)) * 0.1).astype(np.float32)
    w = (rng.standard_normal((SIZE, SIZE)) / SIZE).astype(np.float32)
    b = (rng.standard_normal((SIZE,)) * 0.1).astype(np.float32)
    return x, w, b


def _chain(x, w, b, tanh, matmul):
    """200 ops: repeated (matmul, add, tanh, multiply, subtract) blocks of 5."""
    h = x
    for _ in range(N_OPS // 5):
        h = matmul(h, w)
        h = h + b
        h = tanh(h)
        h = h * 1.5
        h = h - x
    return h


def run_gpukeras(backend, repeat=25):
    import gpukeras as tf
    device = "cpu" if backend == "numpy" else "gpu"
    if backend == "cupy":
        tf.config.experimental.enable_tensor_float_32_execution(process_tf32() == "on")
    with tf.device(device):
        x, w, b = (tf.constant(a) for a in _inputs())
        w = tf.Variable(w)
        b = tf.Variable(b)

        def step():
            with tf.GradientTape() as tape:
                out = tf.reduce_sum(_chain(x, w, b, tf.tanh, tf.matmul))
            return tape.gradient(out, [w, b])

        seconds = timeit(step, repeat=repeat, warmup=5,
                         sync=cupy_sync() if backend == "cupy" else None)
    return seconds


def run_torch(device, repeat=25):
    torch = torch_or_none()
    if torch is None:
        return None
    if device == "cuda" and not torch.cuda.is_available():
        return None
    if device == "cuda":
        set_torch_tf32(torch, process_tf32())   # the same matmul mode as CuPy in this process
    if device == "cpu":
        # 64x64 ops are too small to split across threads; one thread is torch's fastest
        # setting here and keeps the comparison stable on a busy machine.
        torch.set_num_threads(1)
    x, w, b = (torch.tensor(a, device=device) for a in _inputs())
    w.requires_grad_(True)
    b.requires_grad_(True)

    def step():
        out = _chain(x, w, b, torch.tanh, torch.matmul).sum()
        return torch.autograd.grad(out, [w, b])

    return timeit(step, repeat=repeat, warmup=5,
                  sync=torch.cuda.synchronize if device == "cuda" else None)


def run(backends, options=None):
    """Rows of (label, seconds per fwd+bwd step, ratio vs the peer on the same device).

    Runs in the runner's process: the GPU rows' TF32 mode is the one ``CUPY_TF32`` gives it
    (64x64 products barely feel it).
    """
    repeat = (options or Options()).repeats(25)
    rows = []
    for backend in backends:
        device = "CPU" if backend == "numpy" else "GPU"
        extra = {} if backend == "numpy" else {"tf32": process_tf32()}
        try:
            ours = run_gpukeras(backend, repeat)
        except Exception as exc:  # noqa: BLE001 - e.g. no GPU: a row that says so
            rows.append({"workload": "op_overhead", "device": device, **extra,
                         "impl": f"gpukeras[{backend}]", "seconds": None,
                         "note": f"failed: {type(exc).__name__}: {str(exc)[:80]}"})
            continue
        peer = run_torch("cpu" if backend == "numpy" else "cuda", repeat)
        rows.append({"workload": "op_overhead", "device": device, **extra,
                     "impl": f"gpukeras[{backend}]", "seconds": ours,
                     "per_op_us": ours / (2 * N_OPS) * 1e6,
                     "ratio_vs_torch": None if peer is None else ours / peer})
        if peer is not None:
            rows.append({"workload": "op_overhead", "device": device, **extra, "impl": "torch",
                         "seconds": peer, "per_op_us": peer / (2 * N_OPS) * 1e6,
                         "ratio_vs_torch": 1.0})
    return rows
