"""Training workloads: fit() of two MLPs and predict() of one, against their peers.

Each workload runs on the same synthetic data (fixed seed): gpukeras ``model.fit`` /
``model.predict`` on each backend; a hand-written NumPy/CuPy loop of the same model (forward,
backward and Adam in float32: the floor any NumPy-based framework stands on); native PyTorch; and
Keras 3 on JAX / PyTorch / TensorFlow where installed. CPU peers run in their own interpreters
with no GPU visible (peers.py); the GPU rows run per TF32 mode in a child process (gpu_pass.py).
Throughput is samples/s, the median of a few repeats over a fixed number of steps after warm-up;
``ratio`` is gpukeras / peer in samples/s (>= 1.0: gpukeras is faster). The GEMM row is the
float32 matmul rate (NumPy on the CPU, cuBLAS on the GPU) at the step's own shapes, and
``pct_gemm`` is the share of it each implementation turns into training.
"""

import sys

import numpy as np

from .common import Options, cupy_sync, set_torch_tf32, timeit, timeit_interleaved, torch_or_none

SEED = 0
LR = 1e-3

# name: layer sizes, batch, timed steps per repeat (CPU, GPU), repeats, training or predict.
# The GPU times more steps per repeat: a few steps last milliseconds there, and fit()'s fixed
# cost per call would count for more than the steps.
CONFIGS = {
    "mlp": dict(sizes=(784, 512, 512, 10), batch=128, steps=20, gpu_steps=200, repeat=3,
                train=True),
    "wide_mlp": dict(sizes=(1024, 4096, 4096, 10), batch=256, steps=3, gpu_steps=40, repeat=3,
                     train=True),
    "mlp_predict": dict(sizes=(784, 512, 512, 10), batch=1024, steps=8, gpu_steps=32, repeat=5,
                        train=False),
}


def config(name, quick=False, gpu=False):
    """The workload's settings: ``gpu`` takes its GPU step count, ``quick`` one timed repeat."""
    cfg = dict(CONFIGS[name])
    if gpu:
        cfg["steps"] = cfg["gpu_steps"]
    if quick:
        cfg["repeat"] = 1
    return cfg


def label(name):
    cfg = CONFIGS[name]
    what = "fit" if cfg["train"] else "predict"
    return f"{name} {'-'.join(map(str, cfg['sizes']))} b{cfg['batch']} ({what})"


def _data(cfg, xp=np):
    rng = np.random.default_rng(SEED)
    n = cfg["batch"] * cfg["steps"]
    x = rng.standard_normal((n, cfg["sizes"][0])).astype(np.float32)
    y = rng.integers(0, cfg["sizes"][-1], size=n).astype(np.int64)
    return xp.asarray(x), xp.asarray(y)


def _init_params(sizes, xp=np):
    """Glorot-uniform weights and zero biases (Keras' Dense defaults), float32."""
    rng = np.random.default_rng(SEED + 1)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)
        params.append([xp.asarray(w), xp.zeros(fan_out, dtype=np.float32)])
    return params


def step_flops(cfg):
    """FLOPs of one step's GEMMs: forward, plus dW and dx (no dx for the input) when training."""
    b, sizes = cfg["batch"], cfg["sizes"]
    layers = list(zip(sizes[:-1], sizes[1:]))
    flops = sum(2 * b * i * o for i, o in layers)
    if cfg["train"]:
        flops += sum(2 * b * i * o for i, o in layers)              # dW = a^T g
        flops += sum(2 * b * i * o for i, o in layers[1:])          # dx = g W^T
    return flops


# --------------------------------------------------------------------------- GEMM rate

def gemm_gflops(cfg, repeat=11):
    """NumPy float32 GEMM rate (GFLOP/s) over exactly the matmuls of one step, timed alone."""
    rng = np.random.default_rng(SEED)
    b, sizes = cfg["batch"], cfg["sizes"]
    mats = []
    for idx, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        a = rng.standard_normal((b, i)).astype(np.float32)
        w = rng.standard_normal((i, o)).astype(np.float32)
        g = rng.standard_normal((b, o)).astype(np.float32)
        mats.append((a, w, g, idx > 0))

    def run():
        for a, w, g, need_dx in mats:
            a @ w
            if cfg["train"]:
                a.T @ g
                if need_dx:
                    g @ w.T

    seconds = timeit(run, repeat=repeat, warmup=2)
    return step_flops(cfg) / seconds / 1e9


# --------------------------------------------------------------------------- hand-written NumPy

class HandWritten:
    """Forward, backward and Adam written directly with ``xp`` (NumPy or CuPy), float32."""

    def __init__(self, sizes, xp=np):
        self.xp = xp
        self.params = _init_params(sizes, xp)
        self.m = [[xp.zeros_like(p) for p in layer] for layer in self.params]
        self.v = [[xp.zeros_like(p) for p in layer] for layer in self.params]
        self.t = 0

    def forward(self, x):
        xp = self.xp
        acts = [x]
        h = x
        last = len(self.params) - 1
        for i, (w, b) in enumerate(self.params):
            h = h @ w + b
            if i < last:
                h = xp.maximum(h, np.float32(0))
            acts.append(h)
        return acts

    def predict(self, x):
        xp = self.xp
        z = self.forward(x)[-1]
        e = xp.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def train_step(self, x, y):
        xp = self.xp
        acts = self.forward(x)
        z = acts[-1]
        e = xp.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        n = x.shape[0]
        rows = xp.arange(n)
        loss = -xp.log(p[rows, y] + np.float32(1e-7)).mean()
        g = p
        g[rows, y] -= np.float32(1)
        g /= np.float32(n)
        grads = [None] * len(self.params)
        for i in reversed(range(len(self.params))):
            w, _ = self.params[i]
            a = acts[i]
            grads[i] = (a.T @ g, g.sum(axis=0))
            if i > 0:
                g = (g @ w.T) * (a > 0)
        self._adam(grads)
        return loss

    def _adam(self, grads, b1=0.9, b2=0.999, eps=1e-7):
        xp = self.xp
        self.t += 1
        lr_t = np.float32(LR * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t))
        b1, b2, eps = np.float32(b1), np.float32(b2), np.float32(eps)
        for layer, ms, vs, gs in zip(self.params, self.m, self.v, grads):
            for k in range(2):
                g = gs[k]
                ms[k] = b1 * ms[k] + (1 - b1) * g
                vs[k] = b2 * vs[k] + (1 - b2) * g * g
                layer[k] = layer[k] - lr_t * ms[k] / (xp.sqrt(vs[k]) + eps)


def handwritten_epoch(cfg, xp=np):
    """One epoch of the hand-written loop (training or predict) over the workload's data."""
    x, y = _data(cfg, xp)
    model = HandWritten(cfg["sizes"], xp)
    b, steps = cfg["batch"], cfg["steps"]

    def epoch():
        for s in range(steps):
            sl = slice(s * b, (s + 1) * b)
            if cfg["train"]:
                model.train_step(x[sl], y[sl])
            else:
                model.predict(x[sl])
    return epoch


def run_handwritten(cfg, xp=np, sync=None):
    epoch = handwritten_epoch(cfg, xp)
    return cfg["batch"] * cfg["steps"] / timeit(epoch, repeat=cfg["repeat"], warmup=1, sync=sync)


# --------------------------------------------------------------------------- gpukeras

def _keras_model(keras, sizes):
    layers = [keras.Input((sizes[0],))]
    layers += [keras.layers.Dense(n, activation="relu") for n in sizes[1:-1]]
    layers += [keras.layers.Dense(sizes[-1], activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LR),
                  loss="sparse_categorical_crossentropy")
    return model


def _keras_epoch(keras, cfg, x, y):
    """One ``fit`` epoch over ``steps`` batches (or one ``predict``) of a fresh Keras model."""
    model = _keras_model(keras, cfg["sizes"])
    b = cfg["batch"]
    if cfg["train"]:
        def once():
            model.fit(x, y, batch_size=b, epochs=1, shuffle=False, verbose=0)
    else:
        def once():
            model.predict(x, batch_size=b, verbose=0)
    return model, once


def _keras_throughput(keras, cfg, x, y, sync=None, read_back=False):
    """samples/s of ``fit`` (one epoch over ``steps`` batches) or of ``predict``.

    ``read_back``: wait for a GPU Keras by reading the last weight back after each fit.
    """
    model, once = _keras_epoch(keras, cfg, x, y)
    if read_back:
        def sync():
            keras.ops.convert_to_numpy(model.trainable_variables[-1])
    return len(x) / timeit(once, repeat=cfg["repeat"], warmup=1, sync=sync)


def run_gpukeras(cfg, backend, tf32=None):
    import gpukeras as tf
    from gpukeras import keras
    if tf32 is not None:
        tf.config.experimental.enable_tensor_float_32_execution(tf32 == "on")
    x, y = _data(cfg)
    device = "cpu" if backend == "numpy" else "gpu"
    with tf.device(device):
        if backend == "cupy":   # on the GPU once, as the PyTorch peer's tensors are (.to(device))
            x, y = tf.constant(x), tf.constant(y)
        tf.random.set_seed(SEED) if hasattr(tf.random, "set_seed") else None
        return _keras_throughput(keras, cfg, x, y,
                                 sync=cupy_sync() if backend == "cupy" else None)


# --------------------------------------------------------------------------- PyTorch

def run_torch(cfg, device="cpu", tf32=None):
    """samples/s of native PyTorch (``nn.Sequential`` + Adam), or None without torch/CUDA."""
    torch = torch_or_none()
    if torch is None or (device == "cuda" and not torch.cuda.is_available()):
        return None
    if tf32 is not None:
        set_torch_tf32(torch, tf32)
    torch.manual_seed(SEED)
    x, y = (torch.from_numpy(a).to(device) for a in _data(cfg))
    sizes = cfg["sizes"]
    mods = []
    for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(fi, fo))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=LR, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    b, steps = cfg["batch"], cfg["steps"]

    def epoch():
        for s in range(steps):
            xb, yb = x[s * b:(s + 1) * b], y[s * b:(s + 1) * b]
            if cfg["train"]:
                opt.zero_grad(set_to_none=True)
                loss_fn(model(xb), yb).backward()
                opt.step()
            else:
                with torch.inference_mode():
                    torch.softmax(model(xb), dim=1).cpu().numpy()

    sync = torch.cuda.synchronize if device == "cuda" else None
    return b * steps / timeit(epoch, repeat=cfg["repeat"], warmup=1, sync=sync)


# --------------------------------------------------------------------------- rows

def make_row(name, device, impl, sps, ours=None, note=None, tf32=None):
    """One result row; ``ratio`` = ours / sps when both are known (>= 1: gpukeras faster)."""
    cfg = CONFIGS[name]
    r = {"workload": label(name), "device": device}
    if tf32 is not None:
        r["tf32"] = tf32
    r["impl"] = impl
    r["samples_per_s"] = sps
    r["gflops"] = None if sps is None else sps * step_flops(cfg) / cfg["batch"] / 1e9
    if ours is not None and sps:
        r["ratio"] = ours / sps
    if note:
        r["note"] = note
    return r


def gemm_row(name, device, impl, gflops, tf32=None, note=None):
    r = {"workload": label(name), "device": device}
    if tf32 is not None:
        r["tf32"] = tf32
    r.update(impl=impl, gflops=gflops)
    if note:
        r["note"] = note
    return r


def add_pct_gemm(rows, gemm):
    """Give every row with a throughput its share of the GEMM rate ``gemm`` (GFLOP/s)."""
    for r in rows:
        if r.get("samples_per_s") and gemm:
            r["pct_gemm"] = 100.0 * r["gflops"] / gemm
    return rows


def _cpu_pair(cfg):
    """samples/s of gpukeras[numpy] and of the hand-written loop, their repeats interleaved
    (median of ``2 * repeat - 1``)."""
    import gpukeras as tf
    from gpukeras import keras
    x, y = _data(cfg)
    with tf.device("cpu"):
        tf.random.set_seed(SEED)
        _, ours = _keras_epoch(keras, cfg, x, y)
        times = timeit_interleaved({"ours": ours, "hand": handwritten_epoch(cfg)},
                                   repeat=2 * cfg["repeat"] - 1, warmup=1)
    samples = cfg["batch"] * cfg["steps"]
    return samples / times["ours"], samples / times["hand"]


def cpu_rows(name, options):
    """The CPU section: gpukeras[numpy], the hand-written loop, and each CPU peer alone, all
    run ``options.round_count()`` times in turn; each row is its median over the rounds."""
    import statistics
    from . import peers
    cfg = config(name, options.quick)
    gemm = gemm_gflops(cfg, repeat=options.repeats(11))
    runs = {"gpukeras[numpy]": lambda: (_cpu_pair(cfg), None)}
    if options.peers != "none":
        runs["torch (nn.Module)"] = lambda: peers.run_torch_peer(name, options)
    for kb in (peers.KERAS_BACKENDS if options.peers == "all" else ()):
        runs[f"keras-{kb}"] = lambda kb=kb: peers.run_keras_peer(name, kb, options)
    order = ["gpukeras[numpy]", "hand-written numpy"] + [i for i in runs if i != "gpukeras[numpy]"]
    samples = {impl: [] for impl in order}
    why = {}
    for _ in range(options.round_count()):
        for impl, run in runs.items():
            sps, info = run()
            if impl == "gpukeras[numpy]":
                samples["gpukeras[numpy]"].append(sps[0])
                samples["hand-written numpy"].append(sps[1])
            elif sps:
                samples[impl].append(sps)
            else:
                why[impl] = info
    median = {impl: statistics.median(v) if v else None for impl, v in samples.items()}
    ours = median["gpukeras[numpy]"]
    rows = [gemm_row(name, "CPU", "numpy GEMM (step shapes)", gemm),
            make_row(name, "CPU", "gpukeras[numpy]", ours)]
    for impl, sps in median.items():
        if impl != "gpukeras[numpy]":
            rows.append(make_row(name, "CPU", impl, sps, ours, None if sps else why.get(impl)))
    add_pct_gemm(rows[1:], gemm)
    return rows


def run_workload(name, backends, options=None):
    """Rows of one workload: the CPU section for numpy, the GPU section per TF32 mode for cupy."""
    options = options or Options()
    rows = []
    if "numpy" in backends:
        rows += cpu_rows(name, options)
    if "cupy" in backends:
        from . import gpu_pass
        for mode in options.tf32:
            rows += gpu_pass.gpu_section(name, mode, options)
    return rows


if __name__ == "__main__":
    # Kept for old command lines: ``python -m benchmarks.training keras|torch WORKLOAD``.
    from .peers import main
    sys.exit(main())
