"""The compiled CPU kernels (cpu_native, from cpu_kernels.c) against their NumPy twins: equal bit
for bit, the twins' errors, the fall-backs (float16, strided or read-only arrays, no compiler, a
failing compiler, GPUKERAS_CPU_KERNELS=numpy) and the compile-once cache."""

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gpukeras.kernels import cpu_native, optimizer_twins

from .optim_checks import adam_hyper

ROOT = Path(__file__).resolve().parents[2]

needs_compiler = pytest.mark.skipif(cpu_native.library() is None,
                                    reason=f"no compiled CPU kernels: {cpu_native.status()}")

SIZES = [1, 31, 0, 1025, 70001]

#: (kernel, slot lists, hyper for a 1-based step, extra positional arguments)
CASES = {
    "adam": ("adam_multi_update", 2, lambda t: adam_hyper(t), ()),
    "adam_decay": ("adam_multi_update", 2, lambda t: adam_hyper(t, decay=0.004), ()),
    "amsgrad": ("adam_multi_update", 3, lambda t: adam_hyper(t), ()),
    "sgd": ("sgd_multi_update", 0, lambda t: np.array([0.1, 0.0, 0.0]), (False,)),
    "sgd_decay": ("sgd_multi_update", 0, lambda t: np.array([0.1, 0.0, 0.01]), (False,)),
    "momentum": ("sgd_multi_update", 1, lambda t: np.array([0.1, 0.9, 0.0]), (False,)),
    "nesterov": ("sgd_multi_update", 1, lambda t: np.array([0.1, 0.9, 0.003]), (True,)),
    "rmsprop": ("rmsprop_multi_update", 1, lambda t: np.array([0.01, 0.9, 0.1, 0, 1e-7, 0]), ()),
    "rmsprop_momentum": ("rmsprop_multi_update", 2,
                         lambda t: np.array([0.01, 0.9, 0.1, 0.9, 1e-7, 0.002]), ()),
    "rmsprop_centered": ("rmsprop_multi_update", 3,
                         lambda t: np.array([0.01, 0.9, 0.1, 0.0, 1e-7, 0]), ()),
    "adagrad": ("adagrad_multi_update", 1, lambda t: np.array([0.05, 1e-7]), ()),
    "adamax": ("adamax_multi_update", 2,
               lambda t: np.array([0.01, 0.1, 0.999, 1e-7, 1 - 0.9 ** t]), ()),
    "lion": ("lion_multi_update", 1, lambda t: np.array([0.01, 0.9, 0.1, 0.99, 0.01]), ()),
    "nadam": ("nadam_multi_update", 2,
              lambda t: np.array([0.01, 0.1, 0.001, 0.47, 0.55, 1 - 0.4 ** t, 1 - 0.4 ** (t + 1),
                                  1 - 0.999 ** t, 1e-7]), ()),
    "adadelta": ("adadelta_multi_update", 2, lambda t: np.array([1.0, 0.95, 0.05, 1e-6]), ()),
}


def _call(module, case, state, grads, step):
    """One update through ``module`` (cpu_native or optimizer_twins) in the kernel's order."""
    name, nslots, hyper, extra = CASES[case]
    fn = getattr(module, name)
    w, slots = state[0], state[1:]
    h = hyper(step)
    if name in ("adagrad_multi_update", "adamax_multi_update", "lion_multi_update",
                "nadam_multi_update", "adadelta_multi_update"):
        fn(w, grads, *slots, h)
    elif name == "adam_multi_update":
        fn(w, grads, slots[0], slots[1], h, slots[2] if nslots == 3 else None)
    elif name == "sgd_multi_update":
        fn(w, grads, slots[0] if nslots else None, h, *extra)
    else:   # rmsprop: vs, ms, avgs
        ms = slots[1] if nslots >= 2 and case != "rmsprop_centered" else None
        avgs = slots[-1] if case == "rmsprop_centered" else None
        fn(w, grads, slots[0], ms, avgs, h)


def _state(rng, case, dtype, sizes=SIZES):
    nslots = CASES[case][1]
    ws = [rng.standard_normal(n).astype(dtype) for n in sizes]
    slots = [[np.zeros(n, dtype) for n in sizes] for _ in range(nslots)]
    return [ws] + slots


@needs_compiler
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_updates_equal_the_twins_bit_for_bit(case, dtype):
    rng = np.random.default_rng(7)
    native = _state(rng, case, dtype)
    twin = [[a.copy() for a in lst] for lst in native]
    ids = [id(a) for lst in native for a in lst]
    for step in range(1, 5):
        grads = [rng.standard_normal(n).astype(dtype) for n in SIZES]
        grads[0][0] = 0.0 if step == 1 else grads[0][0]
        _call(cpu_native, case, native, grads, step)
        _call(optimizer_twins, case, twin, grads, step)
        for lst_n, lst_t in zip(native, twin):
            for a, b in zip(lst_n, lst_t):
                assert a.dtype == np.dtype(dtype)
                np.testing.assert_array_equal(a, b, strict=True)
    assert [id(a) for lst in native for a in lst] == ids   # updated in place
    assert any(not np.array_equal(w, w0) for w, w0 in zip(native[0], _state(
        np.random.default_rng(7), case, dtype)[0]))        # and really updated


@needs_compiler
def test_amsgrad_keeps_nan_in_the_running_maximum_as_the_twin_does():
    ws = [np.ones(4, np.float32)]
    native = [ws, [np.zeros(4, np.float32)], [np.zeros(4, np.float32)],
              [np.array([np.nan, 0, 1, np.nan], np.float32)]]
    twin = [[a.copy() for a in lst] for lst in native]
    grads = [np.array([1, np.nan, 2, 3], np.float32)]
    _call(cpu_native, "amsgrad", native, grads, 1)
    _call(optimizer_twins, "amsgrad", twin, grads, 1)
    for lst_n, lst_t in zip(native, twin):
        np.testing.assert_array_equal(lst_n[0], lst_t[0])


@needs_compiler
def test_float16_and_strided_tensors_take_the_twin_in_the_same_call():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((6, 8)).astype(np.float32)
    before = base.copy()
    ws = [rng.standard_normal(5).astype(np.float16), base[:, ::2], rng.standard_normal(9)
          .astype(np.float32)]
    native = [ws, [np.zeros_like(w) for w in ws], [np.zeros_like(w) for w in ws]]
    native[1][1] = np.zeros((6, 8), np.float32)[:, ::2]
    twin = [[a.copy() for a in lst] for lst in native]
    grads = [rng.standard_normal(w.shape).astype(w.dtype) for w in ws]
    _call(cpu_native, "adam", native, grads, 1)
    _call(optimizer_twins, "adam", twin, grads, 1)
    for lst_n, lst_t in zip(native, twin):
        for a, b in zip(lst_n, lst_t):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(base[:, ::2], before[:, ::2])   # written through the view
    np.testing.assert_array_equal(base[:, 1::2], before[:, 1::2])   # and nothing else


@needs_compiler
def test_read_only_parameters_are_refused_and_left_untouched():
    w = np.ones(3, np.float32)
    w.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        cpu_native.sgd_multi_update([w], [np.ones(3, np.float32)], None,
                                    np.array([0.5, 0.0, 0.0]))
    assert np.all(w == 1)


@pytest.mark.parametrize("call, match", [
    (lambda m: m.sgd_multi_update([np.ones(3, np.float32)], [np.ones(4, np.float32)], None,
                                  np.array([0.1, 0, 0])), "grads\\[0\\] has shape \\(4,\\)"),
    (lambda m: m.adam_multi_update([np.ones(3)], [np.ones(3)], [np.ones(3)], [np.ones(3)],
                                   np.array([0.1])), "hyper must be a 1-D array of 5"),
    (lambda m: m.rmsprop_multi_update([np.ones(3)], [np.ones(3)], [], None, None,
                                      np.zeros(6)), "0 vs for 1 params"),
])
def test_errors_are_the_twins(call, match):
    for module in (cpu_native, optimizer_twins):
        with pytest.raises(ValueError, match=match):
            call(module)


@needs_compiler
def test_the_numpy_backend_runs_the_compiled_kernels():
    from gpukeras import backends
    numpy_backend = backends.backend_for(backends.DeviceSpec("cpu"))
    assert numpy_backend.kernel("adam_multi_update") is cpu_native.adam_multi_update
    assert numpy_backend.kernel("softmax_forward").__module__ == "gpukeras.kernels.twins"


# -- building: a child process each, with its own cache directory --------------------------

_PROBE = textwrap.dedent("""
    import warnings
    warnings.simplefilter("always")
    from gpukeras import backends
    from gpukeras.kernels import cpu_native, optimizer_twins
    import numpy as np
    kernel = backends.backend_for(backends.DeviceSpec("cpu")).kernel("sgd_multi_update")
    w = [np.ones(3, np.float32)]
    kernel(w, [np.ones(3, np.float32)], None, np.array([0.5, 0.0, 0.0]))
    print("native" if kernel is cpu_native.sgd_multi_update else "twin", w[0].tolist())
    print(cpu_native.status())
""")


def _probe(tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("CC", "GPUKERAS_CPU_KERNELS")}
    full.update(GPUKERAS_CACHE_DIR=str(tmp_path / "cache"), GPUKERAS_BACKEND="numpy", **env)
    return subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          cwd=ROOT, env=full, timeout=120)


def _fake_compiler(tmp_path, body):
    script = tmp_path / "fake-cc"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_without_a_compiler_the_twins_run(tmp_path):
    run = _probe(tmp_path, CC=str(tmp_path / "no-such-compiler"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "twin [0.5, 0.5, 0.5]"
    assert "NumPy twins" in run.stdout and "no-such-compiler" in run.stdout


def test_turned_off_by_the_environment(tmp_path):
    run = _probe(tmp_path, GPUKERAS_CPU_KERNELS="numpy")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["twin [0.5, 0.5, 0.5]",
                                       "NumPy twins (turned off by GPUKERAS_CPU_KERNELS)"]


def test_a_failing_compiler_warns_once_and_the_twins_run(tmp_path):
    cc = _fake_compiler(tmp_path, 'echo "cpu_kernels.c:1: error: broken on purpose" >&2; exit 1')
    run = _probe(tmp_path, CC=cc)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "twin [0.5, 0.5, 0.5]"
    assert run.stderr.count("compiling the fused CPU kernels failed") == 1
    assert "broken on purpose" in run.stderr


@pytest.mark.skipif(cpu_native._compiler() is None, reason="no C compiler here")
def test_the_library_is_compiled_once_and_then_loaded_from_the_cache(tmp_path):
    log = tmp_path / "calls"
    real = " ".join(cpu_native._compiler())
    cc = _fake_compiler(tmp_path, f'echo call >> "{log}"\nexec {real} "$@"')
    first = _probe(tmp_path, CC=cc)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "native [0.5, 0.5, 0.5]"
    calls = log.read_text().count("call")
    assert calls >= 1
    second = _probe(tmp_path, CC=cc)
    assert second.stdout.splitlines()[0] == "native [0.5, 0.5, 0.5]", second.stderr
    assert log.read_text().count("call") == calls     # nothing compiled the second time
    assert len(list((tmp_path / "cache").glob("cpu_kernels-*"))) == 1


# -- bias + piecewise-linear activation ------------------------------------------------------

EDGES = [-0.0, 0.0, np.nan, np.inf, -np.inf, 6.0, -6.0, 5.999, 1e-30]


def _same(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)                       # NaN where NaN
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))  # and -0.0 where -0.0


@needs_compiler
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("act, alpha", [("linear", 0.0), ("relu", 0.0), ("relu6", 0.0),
                                        ("leaky_relu", 0.0), ("leaky_relu", 0.2),
                                        ("leaky_relu", -0.1)])
@pytest.mark.parametrize("shape", [(130, 70), (2, 3, 5), (4, 0), (1, 1)])
def test_bias_activation_equals_the_twins_bit_for_bit(act, alpha, dtype, shape):
    from gpukeras.kernels import twins
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    x.reshape(-1)[:len(EDGES)] = EDGES[:x.size]
    bias = rng.standard_normal(shape[-1]).astype(dtype)
    bias[:1] = -0.0
    y = cpu_native.bias_activation_forward(act, x, bias, alpha)
    _same(y, twins.bias_activation_forward(act, x, bias, alpha))
    if act == "linear":
        return
    g = rng.standard_normal(shape).astype(dtype)
    g.reshape(-1)[:3] = [3e38, -0.0, np.nan][:g.size]
    pairs = [(x, None), (x, y)] + ([(None, y)] if alpha >= 0 else [])
    for xx, yy in pairs:
        _same(cpu_native.activation_backward(act, g, xx, yy, alpha),
              twins.activation_backward(act, g, xx, yy, alpha))


@needs_compiler
@pytest.mark.parametrize("case", ["float16", "int32", "strided", "bias_float64", "gelu",
                                  "tiny_slope"])
def test_other_activation_inputs_take_the_twin(case):
    from gpukeras.kernels import twins
    rng = np.random.default_rng(4)
    x, bias = rng.standard_normal((6, 8)).astype(np.float32), rng.standard_normal(8)
    bias, act, alpha = bias.astype(np.float32), "relu", 0.0
    if case in ("float16", "int32"):
        x = (x * 3).astype(case)
        bias = bias.astype(case)
    elif case == "strided":
        x = rng.standard_normal((8, 6)).astype(np.float32).T
    elif case == "bias_float64":
        bias = bias.astype(np.float64)
    elif case == "gelu":
        act = "gelu"
    else:   # a slope that rounds to 0 in float32 but not as a Python float
        act, alpha = "leaky_relu", 1e-60
        x[0, 0] = -5.0
    y = cpu_native.bias_activation_forward(act, x, bias, alpha)
    _same(y, twins.bias_activation_forward(act, x, bias, alpha))
    if x.dtype.kind == "f":
        g = rng.standard_normal(x.shape).astype(x.dtype)
        _same(cpu_native.activation_backward(act, g, x, y, alpha),
              twins.activation_backward(act, g, x, y, alpha))


def test_activation_errors_are_the_twins():
    x = np.ones((2, 3), np.float32)
    for module in (cpu_native, __import__("gpukeras.kernels.twins", fromlist=["twins"])):
        with pytest.raises(ValueError, match="bias of shape \\(4,\\)"):
            module.bias_activation_forward("relu", x, np.ones(4, np.float32))
        with pytest.raises(ValueError, match="needs the forward input x"):
            module.activation_backward("leaky_relu", x, None, x, -0.5)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_directory_others_can_write_to_is_not_used(tmp_path):
    shared = tmp_path / "cache"
    shared.mkdir()
    shared.chmod(0o777)
    (tmp_path / "tmp").mkdir()
    run = _probe(tmp_path, TMPDIR=str(tmp_path / "tmp"))
    assert run.returncode == 0, run.stderr
    assert not list(shared.glob("cpu_kernels-*"))      # nothing written or loaded there
    if cpu_native._compiler() is not None:            # the private fallback served instead
        assert run.stdout.splitlines()[0] == "native [0.5, 0.5, 0.5]"
        assert list((tmp_path / "tmp").glob("gpukeras-*/cpu_kernels-*"))
