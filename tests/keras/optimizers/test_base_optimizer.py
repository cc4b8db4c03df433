"""The optimizer base: clipping, weight decay, EMA, loss scaling, gradient accumulation,
learning rates (float, schedule, callable), None gradients, constraints, state and custom
optimizers. Trajectories are compared with the real Keras 3 on the same problem."""

import warnings

import numpy as np
import pytest

import gpukeras as tf
from gpukeras import keras as gk
from gpukeras.keras import constraints, optimizers
from gpukeras.keras.optimizers import schedules

keras = pytest.importorskip("keras")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(6, 3))
Y = RNG.normal(size=(6, 2))
W0 = RNG.normal(size=(3, 2)).astype(np.float32)
B0 = RNG.normal(size=(2,)).astype(np.float32)


def grads_of(w, b, scale=1.0):
    x, y = X.astype(w.dtype), Y.astype(w.dtype)
    r = x @ w + b - y
    return [scale * 2 * x.T @ r, scale * 2 * r.sum(axis=0)]


def _np(v):
    return np.array(v.value) if hasattr(v, "path") and not hasattr(v, "_gpukeras_tensor") \
        else np.asarray(v.numpy())


def run_both(make, steps=20, scale=1.0, names=("kernel", "bias")):
    """Run the optimizer ``make(module)`` here and in Keras on the same problem."""
    results = []
    for module, Var in ((optimizers, gk.Variable), (keras.optimizers, keras.Variable)):
        opt = make(module)
        w, b = Var(W0, name=names[0]), Var(B0, name=names[1])
        for _ in range(steps):
            opt.apply(grads_of(_np(w), _np(b), scale), [w, b])
        results.append((opt, _np(w), _np(b)))
    return results


def assert_same_run(ours, theirs, rtol=2e-5, atol=1e-6):
    (opt, w, b), (kopt, kw, kb) = ours, theirs
    np.testing.assert_allclose(w, kw, rtol=rtol, atol=atol)
    np.testing.assert_allclose(b, kb, rtol=rtol, atol=atol)
    assert len(opt.variables) == len(kopt.variables)
    for mine, ref in zip(opt.variables, kopt.variables):
        assert mine.path == ref.path
        np.testing.assert_allclose(np.asarray(mine.numpy(), np.float64),
                                   np.asarray(_np(ref), np.float64), rtol=rtol, atol=atol)


# -- clipping -------------------------------------------------------------------------------
@pytest.mark.parametrize("clip", [dict(clipnorm=1.0), dict(clipvalue=0.5),
                                  dict(global_clipnorm=2.0), dict(clipnorm=100.0)])
def test_clipping_matches_keras(clip):
    ours, theirs = run_both(lambda m: m.Adam(learning_rate=0.05, name="opt", **clip), scale=5.0)
    assert_same_run(ours, theirs)


def test_clipping_formulas():
    g = np.array([[3.0, 4.0]], np.float32)      # norm 5
    h = np.array([12.0], np.float32)            # norm 12; global norm 13
    for kwargs, expected in [
            (dict(clipnorm=1.0), [g / 5, h / 12]),
            (dict(clipvalue=3.5), [np.clip(g, -3.5, 3.5), np.clip(h, -3.5, 3.5)]),
            (dict(global_clipnorm=6.5), [g / 2, h / 2]),
            (dict(global_clipnorm=20.0), [g, h])]:
        opt = optimizers.SGD(learning_rate=1.0, **kwargs)
        w, b = gk.Variable(np.zeros_like(g)), gk.Variable(np.zeros_like(h))
        opt.apply([tf.constant(g), tf.constant(h)], [w, b])
        np.testing.assert_allclose(w.numpy(), -expected[0], rtol=1e-6)
        np.testing.assert_allclose(b.numpy(), -expected[1], rtol=1e-6)


def test_clipnorm_of_a_zero_gradient_is_zero():
    opt = optimizers.SGD(learning_rate=1.0, clipnorm=1.0)
    w = gk.Variable(np.ones(3, np.float32))
    opt.apply([tf.zeros(3)], [w])
    np.testing.assert_array_equal(w.numpy(), np.ones(3))


# -- weight decay ---------------------------------------------------------------------------
def test_weight_decay_matches_keras_and_the_formula():
    ours, theirs = run_both(lambda m: m.SGD(learning_rate=0.01, weight_decay=0.5, name="opt"))
    assert_same_run(ours, theirs)
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.2)
    w = gk.Variable(np.full(2, 3.0, np.float32))
    opt.apply([tf.constant([1.0, -1.0])], [w])
    # w - w * wd * lr, then w - lr * g
    np.testing.assert_allclose(w.numpy(), 3.0 - 3.0 * 0.2 * 0.1 - 0.1 * np.array([1.0, -1.0]),
                               rtol=1e-6)


def test_exclude_from_weight_decay_by_name_and_by_variable():
    def make(module, by_name):
        opt = module.AdamW(learning_rate=0.05, weight_decay=0.3, name="opt")
        return opt, by_name
    for by_name in (True, False):
        results = []
        for module, Var in ((optimizers, gk.Variable), (keras.optimizers, keras.Variable)):
            opt, _ = make(module, by_name)
            w, b = Var(W0, name="kernel"), Var(B0, name="bias")
            if by_name:
                opt.exclude_from_weight_decay(var_names=["bias"])
            else:
                opt.exclude_from_weight_decay(var_list=[b])
            for _ in range(10):
                opt.apply(grads_of(_np(w), _np(b)), [w, b])
            results.append((opt, _np(w), _np(b)))
        assert_same_run(*results)
    # Without exclusion the bias comes out differently.
    plain = run_both(lambda m: m.AdamW(learning_rate=0.05, weight_decay=0.3, name="opt"),
                     steps=10)[0]
    assert not np.allclose(plain[2], results[0][2])


# -- EMA, loss scale, accumulation -----------------------------------------------------------
@pytest.mark.parametrize("kwargs", [dict(use_ema=True), dict(use_ema=True, ema_momentum=0.5),
                                    dict(use_ema=True, ema_momentum=0.9,
                                         ema_overwrite_frequency=3)])
def test_ema_matches_keras(kwargs):
    ours, theirs = run_both(lambda m: m.SGD(learning_rate=0.01, momentum=0.5, name="opt",
                                            **kwargs), steps=10)
    assert_same_run(ours, theirs)


def test_finalize_variable_values_takes_the_average():
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    w = gk.Variable(np.zeros(2, np.float32))
    values = []
    for _ in range(3):
        opt.apply([tf.ones(2)], [w])
        values.append(w.numpy().copy())
    # average_1 = w_1 (first step), then average = 0.5 * average + 0.5 * w
    average = values[0]
    for v in values[1:]:
        average = 0.5 * average + 0.5 * v
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.numpy(), average, rtol=1e-6)


def test_loss_scale_factor_unscales_gradients():
    ours, theirs = run_both(lambda m: m.Adam(learning_rate=0.05, loss_scale_factor=128.0,
                                             name="opt"), scale=128.0)
    assert_same_run(ours, theirs)
    plain = run_both(lambda m: m.Adam(learning_rate=0.05, name="opt"))[0]
    np.testing.assert_allclose(ours[1], plain[1], rtol=1e-5)
    opt = optimizers.SGD(loss_scale_factor=4.0)
    assert float(opt.scale_loss(tf.constant(2.0))) == 8.0
    assert optimizers.SGD().scale_loss(3.0) == 3.0


@pytest.mark.parametrize("make", [
    lambda m: m.Adam(learning_rate=0.05, gradient_accumulation_steps=3, name="opt"),
    lambda m: m.SGD(learning_rate=0.01, momentum=0.9, gradient_accumulation_steps=2,
                    clipnorm=1.0, weight_decay=0.1, name="opt"),
    lambda m: m.Nadam(learning_rate=0.05, gradient_accumulation_steps=2, use_ema=True,
                      name="opt")])
def test_gradient_accumulation_matches_keras(make):
    ours, theirs = run_both(make, steps=11)
    # Nadam's momentum product is auto-named: compare everything but that name.
    (opt, w, b), (kopt, kw, kb) = ours, theirs
    np.testing.assert_allclose(w, kw, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(b, kb, rtol=2e-5, atol=1e-6)
    for mine, ref in zip(opt.variables, kopt.variables):
        np.testing.assert_allclose(np.asarray(mine.numpy(), np.float64),
                                   np.asarray(_np(ref), np.float64), rtol=2e-5, atol=1e-6)
    assert int(opt.iterations.numpy()) == int(np.asarray(kopt.iterations))


def test_gradient_accumulation_updates_every_n_steps():
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=3)
    w = gk.Variable(np.zeros(1, np.float32))
    seen = []
    for g in (1.0, 2.0, 6.0, 3.0):
        opt.apply([tf.constant([g])], [w])
        seen.append(float(w.numpy()[0]))
    assert seen == [0.0, 0.0, -3.0, -3.0]   # the mean of 1, 2, 6 after the third step
    assert int(opt.iterations.numpy()) == 1 and int(opt._iterations.numpy()) == 4


# -- learning rates ---------------------------------------------------------------------------
def test_schedule_learning_rate_matches_keras():
    def make(m):
        return m.SGD(learning_rate=m.schedules.ExponentialDecay(0.05, 3, 0.5), momentum=0.5,
                     name="opt")
    ours, theirs = run_both(make, steps=8)
    assert_same_run(ours, theirs)
    opt = ours[0]
    np.testing.assert_allclose(float(opt.learning_rate), 0.05 * 0.5 ** (8 / 3), rtol=1e-6)
    assert [v.path for v in opt.variables][:1] == ["opt/iteration"]
    config = opt.get_config()
    assert config == theirs[0].get_config()
    back = optimizers.SGD.from_config(config)
    assert isinstance(back._learning_rate, schedules.ExponentialDecay)
    assert back.get_config() == config
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_callable_learning_rate_and_setter():
    calls = []

    def lr():
        calls.append(1)
        return 0.5
    opt = optimizers.SGD(learning_rate=lr)
    w = gk.Variable(np.zeros(2, np.float32))
    opt.apply([tf.ones(2)], [w])
    np.testing.assert_allclose(w.numpy(), [-0.5, -0.5])
    assert calls and len(opt.variables) == 1   # only iterations: no lr variable
    opt = optimizers.SGD(learning_rate=0.5)
    opt.learning_rate = 0.25
    assert opt.learning_rate.numpy() == np.float32(0.25)
    assert opt.get_config()["learning_rate"] == 0.25
    n = len(opt.variables)
    opt.learning_rate = schedules.InverseTimeDecay(0.1, 2, 1.0)
    assert len(opt.variables) == n - 1   # the learning-rate variable is no longer tracked


# -- gradients and variables ----------------------------------------------------------------
def test_none_gradients_are_skipped_with_a_warning():
    opt = optimizers.SGD(learning_rate=1.0)
    a = gk.Variable(np.zeros(2, np.float32), name="a")
    b = gk.Variable(np.zeros(2, np.float32), name="b")
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply([tf.ones(2), None], [a, b])
    np.testing.assert_array_equal(a.numpy(), [-1, -1])
    np.testing.assert_array_equal(b.numpy(), [0, 0])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply([None, None], [a, b])


def test_changing_subsets_of_variables_update_the_right_slots():
    """The per-dtype grouping is remembered per list of variables: subsets (None gradients)
    and mixed dtypes in any order keep each variable with its own slots and step count."""
    vs = [gk.Variable(np.zeros(2, np.float32), name="a"),
          gk.Variable(np.zeros(3, np.float64), name="b"),
          gk.Variable(np.zeros(2, np.float32), name="c")]
    ones = [tf.ones(2), tf.ones(3, tf.float64), tf.ones(2)]
    opt = optimizers.SGD(learning_rate=1.0, momentum=0.5)
    steps = [(0, 1, 2), (0, 2), (1,), (0, 1, 2), (2, 0)]
    expected = [np.zeros(n) for n in (2, 3, 2)]
    momentum = [np.zeros(n) for n in (2, 3, 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # the None gradients
        for step in steps:
            opt.apply([ones[i] if i in step else None for i in range(3)], vs)
            for i in step:
                momentum[i] = 0.5 * momentum[i] - 1.0
                expected[i] = expected[i] + momentum[i]
    for v, e in zip(vs, expected):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-6)
    assert int(opt.iterations.numpy()) == len(steps)


def test_the_step_count_is_incremented_in_place_unless_a_value_is_held():
    opt = optimizers.Adam()
    w = gk.Variable(np.zeros(2, np.float32))
    opt.apply([tf.ones(2)], [w])
    held = opt.iterations.value()
    opt.apply([tf.ones(2)], [w])
    assert int(held.numpy()) == 1 and int(opt.iterations.numpy()) == 2
    assert opt.iterations.dtype == tf.int64 and opt.iterations.shape == ()


def test_adam_step_size_is_the_published_bias_correction():
    """alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t) (Keras's ops, in the learning rate's
    dtype), computed on the device at each step."""
    from gpukeras.ops import optim_ops
    for dtype, rtol in (("float32", 1e-6), ("float64", 1e-14)):
        lr, one = np.array(0.003, dtype), np.array(1, dtype)
        b1, b2 = np.array(0.9, dtype), np.array(0.999, dtype)
        for t in (1, 2, 10, 1000, 10 ** 6):
            alpha = optim_ops.adam_alpha(tf.constant(lr), tf.constant(np.int64(t - 1)), 0.9,
                                         0.999)
            assert alpha.dtype == dtype and alpha.shape == ()
            step = np.array(t, dtype)
            want = lr * np.sqrt(one - b2 ** step) / (one - b1 ** step)
            np.testing.assert_allclose(alpha.numpy(), want, rtol=rtol)


def test_constraints_apply_after_the_update():
    opt = optimizers.SGD(learning_rate=1.0)
    w = gk.Variable(np.array([0.5, 2.0, -1.0], np.float32))
    w.constraint = constraints.NonNeg()
    opt.apply([tf.constant([1.0, 1.0, 1.0])], [w])
    np.testing.assert_array_equal(w.numpy(), [0.0, 1.0, 0.0])
    layer = gk.layers.Dense(2, kernel_constraint=constraints.MaxNorm(0.1))
    layer.build((None, 3))
    opt = optimizers.SGD(learning_rate=1.0)
    opt.apply([tf.ones((3, 2)), tf.ones(2)], layer.trainable_variables)
    assert np.all(np.linalg.norm(layer.kernel.numpy(), axis=0) <= 0.1 + 1e-6)


def test_apply_errors_and_apply_gradients():
    opt = optimizers.Adam()
    a = gk.Variable(np.zeros(2, np.float32), name="a")
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([tf.ones(2)])
    it = opt.apply_gradients(zip([tf.ones(2)], [a]))
    assert it is opt.iterations and int(it.numpy()) == 1
    opt.apply([tf.ones(2)])   # built: the variables are known
    assert int(opt.iterations.numpy()) == 2
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply([tf.ones(2)], [gk.Variable(np.zeros(2, np.float32))])
    with pytest.raises(ValueError, match="one-to-on"):
        opt.apply([tf.ones(2), tf.ones(2)])
    assert opt.apply([]) is None


def test_gradient_kinds_and_mixed_dtypes():
    opt = optimizers.Adam(learning_rate=0.1)
    a = gk.Variable(np.zeros(2, np.float32))
    b = gk.Variable(np.zeros(2, np.float64))
    c = tf.Variable(np.zeros(2, np.float32))         # a tf.Variable (no path)
    opt.apply([np.ones(2), tf.ones(2, dtype=tf.float64), tf.Variable([1.0, 1.0])], [a, b, c])
    for v in (a, b, c):
        np.testing.assert_allclose(v.numpy(), [-0.1, -0.1], rtol=1e-5)
    assert b.dtype == tf.float64 and a.dtype == tf.float32
    assert "Variable_0_momentum" in [v.name for v in opt.variables]


def test_overwrite_with_gradient_variables():
    opt = optimizers.Adam(learning_rate=0.1)
    a = gk.Variable(np.zeros(2, np.float32), name="a")
    s = gk.Variable(np.zeros(2, np.float32), name="scale")
    s.overwrite_with_gradient = True
    opt.apply([tf.ones(2), tf.constant([3.0, 4.0])], [a, s])
    np.testing.assert_array_equal(s.numpy(), [3.0, 4.0])
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "a_momentum",
                                                "a_velocity"]


def test_apply_inside_a_tape_records_nothing():
    w = gk.Variable(np.ones(2, np.float32))
    opt = optimizers.SGD(learning_rate=0.5)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
        opt.apply([tf.ones(2)], [w])
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), [2.0, 2.0])
    np.testing.assert_allclose(w.numpy(), [0.5, 0.5])


def test_minimize_and_training_a_dense_layer():
    layer = gk.layers.Dense(2)
    x = tf.constant(X.astype(np.float32))
    y = tf.constant(Y.astype(np.float32))
    opt = optimizers.Adam(learning_rate=0.05)

    def loss():
        return tf.reduce_mean(tf.square(layer(x) - y))
    first = float(loss())
    for _ in range(30):
        opt.minimize(loss, lambda: layer.trainable_variables)
    assert float(loss()) < 0.7 * first
    assert int(opt.iterations.numpy()) == 30


# -- state ------------------------------------------------------------------------------------
def test_state_round_trips_and_loads_keras_state():
    ours, theirs = run_both(lambda m: m.Adam(learning_rate=0.05, name="opt"), steps=5)
    opt, kopt = ours[0], theirs[0]
    store = {}
    opt.save_own_variables(store)
    assert sorted(store) == [str(i) for i in range(len(opt.variables))]
    fresh = optimizers.Adam(learning_rate=0.05, name="opt")
    fresh.build([gk.Variable(W0, name="kernel"), gk.Variable(B0, name="bias")])
    kstore = {}
    kopt.save_own_variables(kstore)
    fresh.load_own_variables(kstore)   # Keras's (int32 iteration) state
    for mine, ref in zip(fresh.variables, opt.variables):
        np.testing.assert_allclose(mine.numpy(), ref.numpy(), rtol=2e-5, atol=1e-7)
    assert fresh.iterations.dtype == tf.int64
    fresh.set_weights([np.zeros(v.shape, v.dtype.name) for v in fresh.variables])
    assert all(not np.any(w) for w in fresh.get_weights())
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        optimizers.Adam().load_own_variables(store)
    with pytest.raises(ValueError, match="not yet been built"):
        optimizers.Adam().set_weights([])


# -- custom optimizers -----------------------------------------------------------------------
class MySGD(optimizers.Optimizer):
    """The Keras documentation's custom optimizer, written with keras ops."""

    def __init__(self, learning_rate=0.1, momentum=0.9, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum

    def build(self, variables):
        super().build(variables)
        self.momentums = [self.add_variable_from_reference(v, name="momentum")
                          for v in variables]
        self.extra = gk.Variable(0.0, name="extra", trainable=False)

    def update_step(self, gradient, variable, learning_rate):
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * tf.cast(learning_rate, variable.dtype))
        self.assign_add(variable, m)


class SlowAdam(optimizers.Adam):
    """A subclass overriding update_step still goes through its own update_step."""

    calls = 0

    def update_step(self, gradient, variable, learning_rate):
        SlowAdam.calls += 1
        super().update_step(gradient, variable, learning_rate)


def test_custom_optimizers():
    opt = MySGD()
    w = gk.Variable(np.ones(2, np.float32), name="w")
    opt.apply([tf.ones(2)], [w])
    opt.apply([tf.ones(2)], [w])
    np.testing.assert_allclose(w.numpy(), 1 - 0.1 - (0.9 * 0.1 + 0.1), rtol=1e-6)
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "w_momentum",
                                                "extra"]
    ours, theirs = run_both(lambda m: SlowAdam(learning_rate=0.05, name="opt")
                            if m is optimizers else m.Adam(learning_rate=0.05, name="opt"),
                            steps=5)
    assert SlowAdam.calls == 10
    assert_same_run(ours, theirs)
    with pytest.raises(NotImplementedError):
        optimizers.Optimizer(learning_rate=0.1).apply([tf.ones(1)], [gk.Variable([1.0])])

    class Broken(optimizers.Optimizer):
        def __init__(self):
            self.x = 1
    with pytest.raises(RuntimeError, match="forgot to call `super"):
        Broken()


def test_no_warning_on_a_normal_step():
    opt = optimizers.Adam()
    w = gk.Variable(np.ones(2, np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.apply([tf.ones(2)], [w])


def test_a_step_reads_nothing_back_to_the_host(monkeypatch):
    """Every feature at once, with the backend's device-to-host copy made to fail."""
    from gpukeras import backends
    w, b = gk.Variable(W0, name="kernel"), gk.Variable(B0, name="bias")
    w.constraint = constraints.MaxNorm(2.0)
    lr = schedules.CosineDecay(0.05, 10, warmup_target=0.1, warmup_steps=3)
    opts = [optimizers.Nadam(learning_rate=lr, clipnorm=1.0, weight_decay=0.01, use_ema=True,
                             ema_overwrite_frequency=2, gradient_accumulation_steps=2),
            optimizers.Adam(amsgrad=True, global_clipnorm=1.0, loss_scale_factor=2.0),
            optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.1, beta=0.1,
                            clipvalue=1.0),
            optimizers.RMSprop(momentum=0.5, centered=True),
            optimizers.SGD(momentum=0.9, nesterov=True), optimizers.Adagrad(),
            optimizers.Adadelta(), optimizers.Adamax(), optimizers.Lion(),
            optimizers.AdamW(learning_rate=schedules.PiecewiseConstantDecay([2], [0.1, 0.01]))]
    grads = [tf.constant(g) for g in grads_of(W0, B0)]
    for opt in opts:
        opt.build([w, b])
    backend = type(backends.backend_of(w.value()._data))

    def forbidden(self, array):
        raise AssertionError("a value was read back to the host during an optimizer step")
    monkeypatch.setattr(backend, "to_host", forbidden)
    for _ in range(4):
        for opt in opts:
            opt.apply(grads, [w, b])
    monkeypatch.undo()
    assert np.all(np.isfinite(w.numpy()))


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta",
                                  "Adamax", "Nadam", "Ftrl", "Lion"])
def test_one_multi_tensor_update_per_dtype_and_step(name, monkeypatch):
    """The built-in optimizers update all variables of a dtype in one call (the seam a fused
    multi-tensor kernel replaces), with lists of variables, gradients and slots."""
    kwargs = dict(momentum=0.5) if name in ("SGD", "RMSprop") else {}
    opt = getattr(optimizers, name)(**kwargs)
    variables = [gk.Variable(np.ones(s, np.float32)) for s in [(3, 2), (2,), (4,)]]
    variables.append(gk.Variable(np.ones(2, np.float64)))
    calls = []
    original = type(opt)._multi_tensor_update

    def spy(self, grads, variables, slots, scalars):
        calls.append((len(grads), len(variables), [len(s) for s in slots]))
        return original(self, grads, variables, slots, scalars)
    monkeypatch.setattr(type(opt), "_multi_tensor_update", spy)
    for _ in range(2):
        opt.apply([tf.ones(v.shape, dtype=v.dtype) for v in variables], variables)
    n_slots = len(opt._slot_lists())
    assert n_slots >= 1
    assert calls == [(3, 3, [3] * n_slots), (1, 1, [1] * n_slots)] * 2
