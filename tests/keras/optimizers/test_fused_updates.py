"""Every built-in optimizer updates all its plain float variables with ONE fused multi-tensor
kernel call per step, and that call gives exactly what the optimizer's per-variable rule gives
(the rule is the reference the trajectory tests check against the published formulas)."""

import numpy as np
import pytest

from gpukeras import backends
from gpukeras import keras as gk
from gpukeras.keras import optimizers

from .test_optimizers import CASES, IDS, STEPS, grads_of

RNG = np.random.default_rng(11)
SHAPES = [(70, 1000), (33,), (1,), (4, 5)]   # the first spans several of the twins' blocks


def _variables(dtype):
    rng = np.random.default_rng(5)
    return [gk.Variable(rng.normal(size=s).astype(dtype), name=f"v{i}")
            for i, s in enumerate(SHAPES)]


def _grads(variables, step):
    rng = np.random.default_rng(100 + step)
    return [rng.normal(size=v.shape).astype(v.numpy().dtype) for v in variables]


def _rule_only(cls):
    """The same optimizer with its rule re-declared in a subclass: no fused kernel then."""
    return type(f"RuleOnly{cls.__name__}", (cls,),
                {"_update_rule": lambda self, s, g, w, slots: cls._update_rule(self, s, g, w,
                                                                                  slots)})


@pytest.fixture
def kernel_calls(monkeypatch):
    """Names of the fused kernels the CPU backend hands out while the test runs."""
    calls = []
    backend = backends.backend_for(backends.DeviceSpec("cpu"))
    real = backend.kernel

    def spy(name):
        fn = real(name)
        if not name.endswith("_multi_update"):
            return fn

        def counted(*args, **kwargs):
            calls.append(name)
            return fn(*args, **kwargs)
        return counted
    monkeypatch.setattr(backend, "kernel", spy)
    return calls


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs,make_ref", CASES, ids=IDS)
def test_one_fused_call_per_step_equal_to_the_rule(name, kwargs, make_ref, dtype, kernel_calls):
    cls = getattr(optimizers, name)
    fused, ruled = cls(**kwargs), _rule_only(cls)(**kwargs)
    vs_fused, vs_rule = _variables(dtype), _variables(dtype)
    for step in range(6):
        grads = _grads(vs_fused, step)
        fused.apply(grads, vs_fused)
        ruled.apply(grads, vs_rule)
    assert kernel_calls == [kernel_calls[0]] * 6, kernel_calls   # once per step, fused only
    for a, b in zip(vs_fused + list(fused.variables), vs_rule + list(ruled.variables)):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.name, strict=True)
    assert not np.array_equal(vs_fused[0].numpy(), _variables(dtype)[0].numpy())


def test_a_subclass_with_its_own_rule_keeps_it():
    class Halved(optimizers.Adagrad):
        def _update_rule(self, s, g, w, slots):
            return super()._update_rule(s, g * 0.5, w, slots)
    assert Halved()._fused_kernel() is None
    assert optimizers.Adagrad()._fused_kernel()[0] == "adagrad_multi_update"
    w = gk.Variable(np.ones(3, np.float32))
    Halved(learning_rate=0.1).apply([np.ones(3, np.float32)], [w])
    # Adagrad from accumulator 0.1 with g = 0.5: w -= 0.1 * 0.5 / sqrt(0.1 + 0.25 + eps)
    np.testing.assert_allclose(w.numpy(), 1 - 0.05 / np.sqrt(0.35 + 1e-7), rtol=1e-6)


def test_steps_are_unchanged_for_a_long_run():
    """50 steps of the trajectory problem: fused equals the rule after many updates too."""
    for name in ("Adagrad", "Adamax", "Lion", "Nadam", "Adadelta", "Ftrl"):
        cls = getattr(optimizers, name)
        a, b = cls(), _rule_only(cls)()
        wa = [gk.Variable(np.ones((3, 2))), gk.Variable(np.zeros(2))]
        wb = [gk.Variable(np.ones((3, 2))), gk.Variable(np.zeros(2))]
        for _ in range(STEPS):
            a.apply(grads_of(wa[0].numpy(), wa[1].numpy()), wa)
            b.apply(grads_of(wb[0].numpy(), wb[1].numpy()), wb)
        for x, y in zip(wa, wb):
            np.testing.assert_array_equal(x.numpy(), y.numpy(), err_msg=name)
