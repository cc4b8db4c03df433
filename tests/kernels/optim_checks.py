"""Shared checks of the multi-tensor optimizer kernels (optim.cu) against their NumPy twins,
run through an ``impl`` (emulated or real GPU): ``load``, ``to_device``, ``to_host`` and
``writable`` (a device copy of a host array that the kernel may update in place)."""

import numpy as np

from gpukeras.kernels import optimizer_twins as twins

from .kernel_checks import assert_close

#: Tensor sizes around the 4096-element block chunk and the 256-thread block.
SIZES = [1, 31, 0, 1025, 4097, 8192, 257]
SHAPES = [(1,), (31,), (0, 3), (25, 41), (4097,), (2, 4096), (257, 1)]


def adam_hyper(step, lr=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-7, decay=0.0):
    """[alpha, 1-b1, 1-b2, epsilon, decay] for 1-based ``step`` (float64)."""
    alpha = lr * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return np.array([alpha, 1 - beta_1, 1 - beta_2, epsilon, decay])


def _state(rng, shapes, dtype, lists):
    ws = [rng.standard_normal(s).astype(dtype) for s in shapes]
    slots = [[np.abs(rng.standard_normal(s)).astype(dtype) * 0.1 for s in shapes]
             for _ in range(lists)]
    return [ws] + slots


def _compare(dev_state, twin_state, dtype, what):
    for j, (dl, tl) in enumerate(zip(dev_state, twin_state)):
        for i, (d, t) in enumerate(zip(dl, tl)):
            rtol = {"float16": 4e-3, "float32": 1e-5, "float64": 1e-12}[dtype]
            assert_close(d, t, dtype, rtol=rtol, atol=rtol, what=f"{what} list {j} tensor {i}")


#: Kernels whose arguments are (params, grads, *slots, hyper): kind -> (slot lists, hyper), the
#: hyper-parameters as each optimizer's step scalars would give them at some step.
PLAIN = {
    "adagrad": (1, [0.05, 1e-7]),
    "adamax": (2, [0.01, 0.1, 0.999, 1e-7, 0.271]),
    "lion": (1, [0.01, 0.9, 0.1, 0.99, 0.01]),
    "nadam": (2, [0.01, 0.1, 0.001, 0.4654, 0.5464, 0.45, 0.74, 0.002, 1e-7]),
    "adadelta": (2, [1.0, 0.95, 0.05, 1e-6]),
    "ftrl": (2, [0.05, 0.5, 0.02, 0.01, 0.01, -0.01]),
}
KINDS = ["adam", "amsgrad", "sgd", "momentum", "nesterov", "rmsprop", "rmsprop_momentum",
         "rmsprop_centered", "rmsprop_both", *PLAIN]


def check_multi(impl, kind, dtype, shapes=SHAPES, steps=3, seed=0, **opts):
    """Run ``steps`` updates of kernel ``kind`` (one of ``KINDS``) on the device and with the
    twin; every list must agree after every step."""
    rng = np.random.default_rng(seed)
    nslots = {"adam": 2, "amsgrad": 3, "sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1,
              "rmsprop_momentum": 2, "rmsprop_centered": 2, "rmsprop_both": 3,
              **{k: v[0] for k, v in PLAIN.items()}}[kind]
    twin_state = _state(rng, shapes, dtype, nslots)
    if kind in ("rmsprop_centered", "rmsprop_both"):  # keep v - a^2 positive
        twin_state[-1] = [np.zeros_like(a) for a in twin_state[-1]]
    dev_state = [[a.copy() for a in lst] for lst in twin_state]
    for step in range(1, steps + 1):
        grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
        dev = [[impl.writable(a) for a in lst] for lst in dev_state]
        dgrads = [impl.to_device(g) for g in grads]
        if kind in PLAIN:
            hyper = np.array(PLAIN[kind][1])
            name = f"{kind}_multi_update"
            getattr(twins, name)(twin_state[0], grads, *twin_state[1:], hyper)
            impl.load(name)(dev[0], dgrads, *dev[1:], impl.to_device(hyper))
        elif kind in ("adam", "amsgrad"):
            hyper = adam_hyper(step, decay=opts.get("decay", 0.0))
            vh = (lambda s: s[3] if kind == "amsgrad" else None)
            twins.adam_multi_update(twin_state[0], grads, twin_state[1], twin_state[2], hyper,
                                    vh(twin_state))
            impl.load("adam_multi_update")(dev[0], dgrads, dev[1], dev[2],
                                           impl.to_device(hyper), vh(dev))
        elif kind.startswith("rmsprop"):
            hyper = np.array([0.01, 0.9, 0.1, 0.9, 1e-7, opts.get("decay", 0.0)])
            mom, cen = kind in ("rmsprop_momentum", "rmsprop_both"), kind in (
                "rmsprop_centered", "rmsprop_both")

            def lists(s):
                return s[1], (s[2] if mom else None), (s[-1] if cen else None)
            twins.rmsprop_multi_update(twin_state[0], grads, *lists(twin_state), hyper)
            impl.load("rmsprop_multi_update")(dev[0], dgrads, *lists(dev),
                                              impl.to_device(hyper))
        else:
            hyper = np.array([0.05, 0.9 if nslots else 0.0, opts.get("decay", 0.0)])
            ms = (lambda s: s[1] if nslots else None)
            nesterov = kind == "nesterov"
            twins.sgd_multi_update(twin_state[0], grads, ms(twin_state), hyper, nesterov)
            impl.load("sgd_multi_update")(dev[0], dgrads, ms(dev), impl.to_device(hyper),
                                          nesterov)
        dev_state = [[np.array(impl.to_host(a)) for a in lst] for lst in dev]
        _compare(dev_state, twin_state, dtype, f"{kind} {dtype} step {step}")
