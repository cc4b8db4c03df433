"""The training engine: compile / fit / evaluate / predict and the steps.

References: a hand-written GradientTape + optimizer loop (step for step), the real Keras 3 --
``fit`` on its torch (or JAX) backend in one subprocess, since Keras's NumPy backend cannot
train -- and ``evaluate``
/ ``predict`` on its NumPy backend in this process -- with the same initial weights and data.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import gpukeras as tf
from gpukeras import keras
from gpukeras.data import Dataset
from gpukeras.keras import callbacks, losses, metrics, optimizers
from gpukeras.keras.utils.numerical_utils import normalize, to_categorical

rk = pytest.importorskip("keras")

pytestmark = [pytest.mark.filterwarnings("ignore::RuntimeWarning:keras"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:keras")]

RNG = np.random.default_rng(2024)


def _w(*shape, scale=0.5):
    return (RNG.normal(size=shape) * scale).astype("float32")


# Shared data and initial weights (also sent to the real-Keras subprocess).
DATA = {
    "xa": RNG.normal(size=(100, 5)).astype("float32"),
    "ya": RNG.integers(0, 3, size=(100,)).astype("int64"),
    "swa": RNG.uniform(0.1, 2.0, size=(100,)).astype("float32"),
    "wa0": _w(5, 8), "wa1": _w(8), "wa2": _w(8, 3), "wa3": _w(3),
    "xb": RNG.normal(size=(60, 4)).astype("float32"),
    "yb_reg": RNG.normal(size=(60, 1)).astype("float32"),
    "yb_cls": RNG.integers(0, 3, size=(60,)).astype("int64"),
    "xbv": RNG.normal(size=(20, 4)).astype("float32"),
    "yb_regv": RNG.normal(size=(20, 1)).astype("float32"),
    "yb_clsv": RNG.integers(0, 3, size=(20,)).astype("int64"),
    "hidden0": _w(4, 8), "hidden1": _w(8), "reg0": _w(8, 1), "reg1": _w(1),
    "cls0": _w(8, 3), "cls1": _w(3),
}
WEIGHTS_A = [DATA[f"wa{i}"] for i in range(4)]
WEIGHTS_B = {name: [DATA[f"{name}0"], DATA[f"{name}1"]] for name in ("hidden", "reg", "cls")}
CLASS_WEIGHT = {0: 1.0, 1: 2.0, 2: 0.5}


def mlp_a(lib=keras):
    model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(8, activation="relu"),
                            lib.layers.Dense(3, activation="softmax")])
    model.set_weights(WEIGHTS_A)
    return model


def model_b(lib=keras):
    inp = lib.Input((4,), name="features")
    h = lib.layers.Dense(8, activation="relu", name="hidden")(inp)
    model = lib.Model(inp, [lib.layers.Dense(1, name="reg")(h),
                            lib.layers.Dense(3, activation="softmax", name="cls")(h)])
    for name, weights in WEIGHTS_B.items():
        model.get_layer(name).set_weights(weights)
    return model


def compile_b(model, lib_optimizers):
    model.compile(optimizer=lib_optimizers.SGD(0.05),
                  loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0},
                  metrics={"cls": ["accuracy"], "reg": ["mae"]})


# Each scenario: (build and compile, fit keyword arguments). The subprocess runs the same code
# with ``lib`` = the real keras; our side with gpukeras.keras.
SCENARIOS = r'''
def scenario(name, lib, opt, D):
    xa, ya = D["xa"], D["ya"]
    if name == "B":
        model = model_b(lib)
        compile_b(model, opt)
        return model, dict(x=D["xb"], y=[D["yb_reg"], D["yb_cls"]], epochs=2, batch_size=10,
                           validation_data=(D["xbv"], [D["yb_regv"], D["yb_clsv"]]))
    model = mlp_a(lib)
    if name == "A":
        model.compile(opt.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model, dict(x=xa, y=ya, epochs=3, batch_size=16, validation_split=0.2)
    if name == "C":
        model.compile(opt.RMSprop(0.01), "sparse_categorical_crossentropy",
                      metrics=["accuracy"], weighted_metrics=["accuracy"])
        return model, dict(x=xa, y=ya, sample_weight=D["swa"], epochs=4, initial_epoch=1,
                           batch_size=32, validation_data=(xa[:20], ya[:20], D["swa"][:20]),
                           validation_freq=2)
    if name == "D":
        model.compile(opt.SGD(0.1), "sparse_categorical_crossentropy", metrics=["acc"])
        return model, dict(x=xa, y=ya, epochs=3, batch_size=16, steps_per_epoch=2,
                           class_weight=CLASS_WEIGHT)
'''
exec(SCENARIOS)  # noqa: S102 - defines scenario() here, the same text runs in the subprocess

NAMES = ["A", "B", "C", "D"]

REFERENCE = r'''
import json, sys, numpy as np, keras
D = dict(np.load(sys.argv[1]))
WEIGHTS_A = [D[f"wa{i}"] for i in range(4)]
WEIGHTS_B = {n: [D[f"{n}0"], D[f"{n}1"]] for n in ("hidden", "reg", "cls")}
CLASS_WEIGHT = {0: 1.0, 1: 2.0, 2: 0.5}
''' + "\n".join(__import__("inspect").getsource(f) for f in (mlp_a, model_b, compile_b)) \
    + SCENARIOS + r'''
out = {}
for name in sys.argv[2].split(","):
    model, kwargs = scenario(name, keras, keras.optimizers, D)
    history = model.fit(shuffle=False, verbose=0, **kwargs)
    out[name] = {"history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
                 "keys": list(history.history), "params": history.params, "epoch": history.epoch,
                 "weights": [w.tolist() for w in model.get_weights()]}
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def keras_fit(tmp_path_factory):
    """Real Keras 3 ``fit`` results of every scenario, from one subprocess on its torch backend
    (JAX where torch is missing). They depend only on the script, the data and the versions, so
    they are kept in the temporary directory and reused by later runs."""
    backend = next((b for b in ("torch", "jax") if importlib.util.find_spec(b)), None)
    if backend is None:
        pytest.skip("real Keras needs torch or jax to train")
    digest = hashlib.sha256()
    for part in (REFERENCE, backend, rk.__version__, ",".join(NAMES)):
        digest.update(part.encode())
    for key in sorted(DATA):
        digest.update(key.encode() + DATA[key].tobytes())
    cached = Path(tempfile.gettempdir()) / f"gpukeras-keras-fit-{digest.hexdigest()[:24]}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    path = tmp_path_factory.mktemp("keras_ref") / "data.npz"
    np.savez(path, **DATA)
    env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", REFERENCE, str(path), ",".join(NAMES)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = proc.stdout.strip().splitlines()[-1]
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text)
    partial.replace(cached)
    return json.loads(text)


def our_fit(name):
    model, kwargs = scenario(name, keras, optimizers, DATA)
    return model, model.fit(shuffle=False, verbose=0, **kwargs)


# -- fit against real Keras ------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_history_matches_real_keras(keras_fit, name):
    ref = keras_fit[name]
    model, history = our_fit(name)
    assert isinstance(history, callbacks.History) and model.history is history
    assert list(history.history) == ref["keys"]
    assert history.params == ref["params"]
    assert history.epoch == ref["epoch"]
    for key, values in ref["history"].items():
        assert all(isinstance(v, float) for v in history.history[key])
        np.testing.assert_allclose(history.history[key], values, rtol=2e-4, atol=2e-5,
                                   err_msg=f"{name}: {key}")
    for ours, theirs in zip(model.get_weights(), ref["weights"]):
        np.testing.assert_allclose(ours, np.array(theirs, "float32"), rtol=1e-3, atol=1e-4)


# -- fit against a hand-written tape loop ----------------------------------------------------------
def _hand_loop(x, y, batch_size, epochs, make_loss, make_optimizer):
    model = mlp_a()
    loss_fn, opt = make_loss(), make_optimizer()
    epoch_losses = []
    for _ in range(epochs):
        step_losses = []
        for i in range(0, len(x), batch_size):
            xb, yb = tf.constant(x[i:i + batch_size]), tf.constant(y[i:i + batch_size])
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply(grads, model.trainable_variables)
            step_losses.append((float(loss), len(xb)))
        epoch_losses.append(sum(v * n for v, n in step_losses) / len(x))
    return model, epoch_losses


@pytest.mark.parametrize("batch_size", [100, 16])
def test_fit_is_the_hand_written_tape_and_optimizer_loop(batch_size):
    x, y = DATA["xa"], DATA["ya"]
    model = mlp_a()
    model.compile(optimizers.Adam(0.01), losses.SparseCategoricalCrossentropy())
    history = model.fit(x, y, batch_size=batch_size, epochs=4, shuffle=False, verbose=0)
    ref, ref_losses = _hand_loop(x, y, batch_size, 4, losses.SparseCategoricalCrossentropy,
                                 lambda: optimizers.Adam(0.01))
    for ours, theirs in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(ours, theirs)   # the same ops in the same order
    np.testing.assert_allclose(history.history["loss"], ref_losses, rtol=1e-6)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.optimizer.iterations.numpy() == 4 * -(-100 // batch_size)


def test_fit_trains_with_default_batch_size_and_shuffle():
    model = mlp_a()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(DATA["xa"], DATA["ya"], epochs=5, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 5, "steps": 4}   # ceil(100 / 32)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert list(history.history) == ["accuracy", "loss"]


# -- evaluate / predict against real Keras (NumPy backend) with copied weights ---------------------
def _copy_to_real_keras(model, build):
    ref = build(rk)
    ref.set_weights(model.get_weights())
    return ref


def test_evaluate_and_predict_match_real_keras():
    model, _ = our_fit("A")
    ref = _copy_to_real_keras(model, mlp_a)
    for m in (model, ref):
        m.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["accuracy", "sparse_top_k_categorical_accuracy"],
                  weighted_metrics=["accuracy"])
    x, y, sw = DATA["xa"], DATA["ya"], DATA["swa"]
    for kwargs in ({}, {"batch_size": 7}, {"sample_weight": sw}, {"steps": 2, "batch_size": 10}):
        ours = model.evaluate(x, y, verbose=0, **kwargs)
        theirs = ref.evaluate(x, y, verbose=0, **kwargs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, err_msg=str(kwargs))
        ours_d = model.evaluate(x, y, verbose=0, return_dict=True, **kwargs)
        theirs_d = ref.evaluate(x, y, verbose=0, return_dict=True, **kwargs)
        assert list(ours_d) == list(theirs_d)
        np.testing.assert_allclose(list(ours_d.values()), list(theirs_d.values()), rtol=1e-5)
    assert model.metrics_names == ref.metrics_names == ["loss", "compile_metrics"]
    pred = model.predict(x, verbose=0, batch_size=30)
    assert isinstance(pred, np.ndarray) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, ref.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:9]), ref.predict_on_batch(x[:9]),
                               rtol=1e-5, atol=1e-6)
    ref.reset_metrics()   # Keras's NumPy backend does not reset in test_on_batch (torch does)
    np.testing.assert_allclose(model.test_on_batch(x[:50], y[:50]),
                               ref.test_on_batch(x[:50], y[:50]), rtol=1e-5)


def test_multi_output_dict_losses_and_loss_weights_match_real_keras(keras_fit):
    model, history = our_fit("B")
    assert list(history.history) == keras_fit["B"]["keys"]
    ref = _copy_to_real_keras(model, model_b)
    compile_b(ref, rk.optimizers)
    compile_b(model, optimizers)
    x, y = DATA["xbv"], [DATA["yb_regv"], DATA["yb_clsv"]]
    ours = model.evaluate(x, y, verbose=0, return_dict=True)
    theirs = ref.evaluate(x, y, verbose=0, return_dict=True)
    assert list(ours) == list(theirs)
    np.testing.assert_allclose(list(ours.values()), list(theirs.values()), rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0),
                               rtol=1e-5)
    assert model.metrics_names == ref.metrics_names
    # The total is the weighted sum of the per-output losses.
    assert ours["loss"] == pytest.approx(0.5 * ours["reg_loss"] + 2.0 * ours["cls_loss"],
                                         rel=1e-5)
    pred, ref_pred = model.predict(x, verbose=0), ref.predict(x, verbose=0)
    assert isinstance(pred, list) and len(pred) == 2
    for a, b in zip(pred, ref_pred):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # Labels by output name work too.
    by_name = model.evaluate(x, {"cls": y[1], "reg": y[0]}, verbose=0, return_dict=True)
    np.testing.assert_allclose(list(by_name.values()), list(ours.values()), rtol=1e-6)


def test_dict_outputs_predict_returns_a_dict_of_numpy_arrays():
    inp = keras.Input((4,))
    model = keras.Model(inp, {"a": keras.layers.Dense(2)(inp), "b": keras.layers.Dense(1)(inp)})
    x = DATA["xb"]
    out = model.predict(x, batch_size=16, verbose=0)
    assert set(out) == {"a", "b"} and all(isinstance(v, np.ndarray) for v in out.values())
    direct = model(x)
    for key in out:
        np.testing.assert_allclose(out[key], direct[key].numpy(), rtol=1e-6)
    model.compile("sgd", loss={"a": "mse", "b": "mae"})
    history = model.fit(x, {"a": x[:, :2], "b": x[:, 2:3]}, epochs=2, verbose=0)
    assert list(history.history) == ["a_loss", "b_loss", "loss"]


# -- string resolution -----------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer, cls", [("adam", "Adam"), ("sgd", "SGD"),
                                            ("rmsprop", "RMSprop"), ("Adagrad", "Adagrad"),
                                            ("adamw", "AdamW")])
def test_optimizer_strings(optimizer, cls):
    model = mlp_a()
    model.compile(optimizer=optimizer, loss="mse")
    assert type(model.optimizer).__name__ == cls


def test_default_optimizer_is_rmsprop_and_unknown_names_are_listed():
    model = mlp_a()
    model.compile(loss="mse")
    assert type(model.optimizer).__name__ == "RMSprop"
    with pytest.raises(ValueError, match="valid optimizer names are: .*adam"):
        model.compile(optimizer="adamm", loss="mse")
    model.compile(optimizer="adam", loss="categorical_crossentropi")
    with pytest.raises(ValueError, match="valid loss names are: .*categorical_crossentropy"):
        model.fit(DATA["xa"], to_categorical(DATA["ya"]), verbose=0)
    model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="valid metric names are: .*accuracy"):
        model.fit(DATA["xa"], to_categorical(DATA["ya"]), verbose=0)


@pytest.mark.parametrize("labels, loss, metric, classes", [
    ("sparse", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
     ["SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy"]),
    ("onehot", "categorical_crossentropy", "mae", ["CategoricalAccuracy", "MeanAbsoluteError"]),
    ("onehot", "mse", "mse", ["CategoricalAccuracy", "MeanSquaredError"]),
])
def test_loss_and_accuracy_strings_resolve_from_shapes(labels, loss, metric, classes):
    y = DATA["ya"] if labels == "sparse" else to_categorical(DATA["ya"], 3)
    model = mlp_a()
    model.compile("adam", loss, metrics=["acc", metric])
    model.fit(DATA["xa"], y, epochs=1, verbose=0)
    compiled = model.metrics[1].metrics
    assert [type(m).__name__ for m in compiled] == classes
    assert [m.name for m in compiled] == ["acc", metric]
    logs = model.evaluate(DATA["xa"], y, verbose=0, return_dict=True)
    assert list(logs) == sorted(["acc", "loss", metric])


def test_binary_accuracy_and_callable_loss_and_metric_objects():
    def my_loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

    x = DATA["xa"]
    y = (x[:, :1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", loss=my_loss, metrics=["accuracy", metrics.AUC(name="auc")])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert list(history.history) == ["accuracy", "auc", "loss"]
    assert type(model.metrics[1].metrics[0]).__name__ == "BinaryAccuracy"


# -- History, callbacks, validation arguments ------------------------------------------------------
def test_validation_freq_and_initial_epoch(keras_fit):
    _, history = our_fit("C")
    assert history.epoch == [1, 2, 3]
    assert len(history.history["loss"]) == 3 and len(history.history["val_loss"]) == 2
    assert list(history.history) == keras_fit["C"]["keys"] == [
        "accuracy", "loss", "val_accuracy", "val_loss", "val_weighted_accuracy",
        "weighted_accuracy"]


def test_callbacks_see_epochs_and_can_stop_training():
    seen = []

    class Stopper(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

    model = mlp_a()
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(DATA["xa"], DATA["ya"], epochs=10, validation_split=0.1, verbose=0,
                        callbacks=[Stopper()])
    assert history.epoch == [0, 1]
    assert seen == [(0, ["accuracy", "loss", "val_accuracy", "val_loss"])] * 1 + [
        (1, ["accuracy", "loss", "val_accuracy", "val_loss"])]


def test_fit_prints_a_progress_bar_and_epoch_lines(capsys):
    model = mlp_a()
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(DATA["xa"], DATA["ya"], epochs=2, verbose=2, validation_split=0.2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "val_loss" in out
    model.evaluate(DATA["xa"], DATA["ya"], verbose=1)
    assert "accuracy" in capsys.readouterr().out


def test_no_host_reads_per_batch():
    """Metrics accumulate on the device: values are read back once per epoch, not per batch."""
    from gpukeras.core.tensor import Tensor
    model = mlp_a()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(DATA["xa"], DATA["ya"], batch_size=10, epochs=1, verbose=0)   # warm up
    reads = []
    saved = {name: getattr(Tensor, name) for name in ("numpy", "_scalar", "__array__")}

    def counting(name):
        def read(self, *args, **kwargs):
            reads.append(name)
            return saved[name](self, *args, **kwargs)
        return read

    try:
        for name in saved:
            setattr(Tensor, name, counting(name))
        model.fit(DATA["xa"], DATA["ya"], batch_size=5, epochs=2, verbose=0,
                  validation_split=0.2)   # 16 training + 4 validation batches per epoch
    finally:
        for name, method in saved.items():
            setattr(Tensor, name, method)
    assert len(reads) <= 2 * 4   # 2 epochs x (loss, accuracy, val_loss, val_accuracy)


# -- losses of the model, constraints, trainable ---------------------------------------------------
def test_regularization_and_add_loss_join_the_training_loss():
    class AddsLoss(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.1 * tf.reduce_sum(tf.square(inputs)))
            return inputs

    reg = 0.01
    model = keras.Sequential([keras.Input((5,)),
                              keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(reg)),
                              AddsLoss()])
    model.compile("sgd", "mse")
    x, y = DATA["xa"][:8], DATA["xa"][:8, :3]
    out = model(x).numpy()
    kernel = model.layers[0].kernel.numpy()
    expected = (np.mean((out - y) ** 2) + reg * np.sum(kernel ** 2) + 0.1 * np.sum(out ** 2))
    assert model.test_on_batch(x, y) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected, rel=1e-5)
    # The gradient step included the penalties: compare with a hand-written step.
    ref = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    ref.set_weights([kernel, np.zeros(3, "float32")])
    with tf.GradientTape() as tape:
        pred = ref(x)
        total = (tf.reduce_mean(tf.square(pred - y))
                 + reg * tf.reduce_sum(tf.square(ref.layers[0].kernel))
                 + 0.1 * tf.reduce_sum(tf.square(pred)))
    grads = tape.gradient(total, ref.trainable_variables)
    optimizers.SGD().apply(grads, ref.trainable_variables)
    for ours, theirs in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


def test_constraints_apply_after_each_update():
    model = keras.Sequential([keras.Input((5,)),
                              keras.layers.Dense(4, kernel_constraint=keras.constraints.NonNeg()),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    model.fit(DATA["xa"], DATA["ya"], epochs=2, verbose=0)
    assert (model.layers[0].kernel.numpy() >= 0).all()


def test_frozen_layers_do_not_train():
    model = mlp_a()
    model.layers[0].trainable = False
    model.compile("adam", "sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(DATA["xa"], DATA["ya"], epochs=2, verbose=0)
    after = model.get_weights()
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])
    model.trainable = False
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        model.fit(DATA["xa"][:10], DATA["ya"][:10], epochs=1, verbose=0)


# -- custom steps ----------------------------------------------------------------------------------
class CustomStepModel(keras.Model):
    """Keras 3's "customize what happens in fit" pattern (seed 001)."""

    def __init__(self):
        super().__init__()
        self.dense1 = keras.layers.Dense(8, activation="relu")
        self.dense2 = keras.layers.Dense(3, activation="softmax")
        self.loss_tracker = metrics.Mean(name="loss")
        self.acc = metrics.SparseCategoricalAccuracy(name="acc")

    def call(self, inputs, training=False):
        return self.dense2(self.dense1(inputs))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.acc.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "acc": self.acc.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.acc]


def test_custom_train_step_with_compute_loss_and_apply_gradients():
    model = CustomStepModel()
    model.compile(optimizer=optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    history = model.fit(DATA["xa"], DATA["ya"], epochs=4, batch_size=20, verbose=0)
    assert list(history.history) == ["acc", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    # reset between epochs: the epoch's value is the mean of that epoch's batches only
    model.reset_metrics()
    assert float(model.loss_tracker.result()) == 0.0
    assert model.metrics_names == ["loss", "acc"]


def test_tf_keras_2_style_train_step_with_compiled_loss_and_metrics():
    class Legacy(keras.Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    model = Legacy([keras.Input((5,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(DATA["xa"], DATA["ya"], epochs=3, verbose=0)
    assert list(history.history) == ["accuracy", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0] and all(
        v > 0 for v in history.history["accuracy"])


def test_gan_style_model_without_call_trains_with_its_own_step():
    """A model holding sub-models and only a train_step (the DCGAN tutorial's shape)."""
    class Pair(keras.Model):
        def __init__(self):
            super().__init__()
            self.net = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
            self.tracker = metrics.Mean(name="gap")

        def compile(self, net_optimizer):
            super().compile()
            self.net_optimizer = net_optimizer

        def train_step(self, data):
            with tf.GradientTape() as tape:
                gap = tf.reduce_mean(tf.square(self.net(data) - 1.0))
            grads = tape.gradient(gap, self.net.trainable_variables)
            self.net_optimizer.apply_gradients(zip(grads, self.net.trainable_variables))
            self.tracker.update_state(gap)
            return {"gap": self.tracker.result()}

    model = Pair()
    model.compile(net_optimizer=optimizers.Adam(0.05))
    history = model.fit(DATA["xa"], epochs=3, batch_size=20, verbose=0)
    assert list(history.history) == ["gap"] and len(history.history["gap"]) == 3
    assert history.history["gap"][-1] < history.history["gap"][0]


def test_fit_builds_a_sequential_model_without_an_input():
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
    model.compile("adam", losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    assert not model.built
    history = model.fit(DATA["xa"], DATA["ya"], epochs=2, verbose=0)
    assert model.built and len(model.weights) == 4 and model.optimizer.built
    assert list(history.history) == ["accuracy", "loss"]
    # layers added and removed after compile leave no weights behind
    model.add(keras.layers.Dense(2))
    model.pop()
    assert len(model.weights) == 4


def test_custom_test_step_and_predict_step():
    class Doubled(keras.Sequential):
        def predict_step(self, data):
            return 2 * self(data, training=False)

        def test_step(self, data):
            x, y = data
            return {"score": tf.reduce_mean(self(x)) * 0 + 3.0}

    model = Doubled([keras.Input((5,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    x = DATA["xa"]
    np.testing.assert_allclose(model.predict(x, verbose=0), 2 * model(x).numpy(), rtol=1e-6)
    assert model.evaluate(x, x[:, :2], verbose=0, return_dict=True) == {"score": 3.0}


# -- on_batch methods ------------------------------------------------------------------------------
def test_train_on_batch_matches_one_fit_step_and_accepts_class_weight():
    a, b = mlp_a(), mlp_a()
    for m in (a, b):
        m.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = DATA["xa"][:25], DATA["ya"][:25]
    logs = a.train_on_batch(x, y, class_weight=CLASS_WEIGHT, return_dict=True)
    b.fit(x, y, batch_size=25, epochs=1, class_weight=CLASS_WEIGHT, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert list(logs) == ["accuracy", "loss"]
    with pytest.raises(ValueError, match="cannot be specified at the same time"):
        a.train_on_batch(x, y, sample_weight=np.ones(25), class_weight=CLASS_WEIGHT)
    result = a.train_on_batch(x, y)
    assert isinstance(result, list) and len(result) == 2


def test_step_logs_follow_metrics_added_or_removed_between_steps():
    """The per-step logs list the model's metrics as ``metrics`` does, also when metrics
    are attached, removed or recompiled after training started."""
    model = mlp_a()
    model.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    step = model.make_train_function()
    data = (tf.constant(DATA["xa"][:10]), tf.constant(DATA["ya"][:10]))
    assert list(step([data])) == ["loss"]
    model.extra = metrics.Mean(name="extra")
    assert list(step([data])) == ["loss", "extra"] == model.metrics_names
    del model.extra
    assert list(step([data])) == ["loss"]
    model.compile(optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    logs = model.make_train_function()([data])
    assert sorted(logs) == ["accuracy", "loss"]
    np.testing.assert_allclose(float(logs["loss"]), float(model.metrics[0].result()))


def test_predict_on_batch_in_a_loop_keeps_memory_flat():
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4)])
    x = DATA["xa"][:8]
    for _ in range(200):
        model.predict_on_batch(x)   # warm up
    tracemalloc.start()
    try:
        for _ in range(1000):
            model.predict_on_batch(x)
        first = tracemalloc.get_traced_memory()[0]
        for _ in range(9000):
            model.predict_on_batch(x)
        second = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert second - first < 256 * 1024   # a leak of a few hundred bytes per call would show


def test_predict_matches_a_direct_call_with_steps_per_execution():
    model = mlp_a()
    model.compile("sgd", "mse", steps_per_execution=3)
    x = DATA["xa"]
    np.testing.assert_allclose(model.predict(x, batch_size=8, verbose=0), model(x).numpy(),
                               rtol=1e-5)   # batches of 8 against one GEMM: summation order
    history = model.fit(x, to_categorical(DATA["ya"]), batch_size=8, epochs=1, verbose=0)
    assert history.params["steps"] == 13


# -- errors ----------------------------------------------------------------------------------------
def test_errors_say_what_was_expected():
    model = mlp_a()
    with pytest.raises(ValueError, match="You must call `compile\\(\\)`"):
        model.fit(DATA["xa"], DATA["ya"], verbose=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="(?s)Data cardinality is ambiguous.*100.*99"):
        model.fit(DATA["xa"], DATA["ya"][:99], verbose=0)
    dataset = Dataset.from_tensor_slices((DATA["xa"], DATA["ya"])).batch(10)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(dataset, batch_size=10, verbose=0)
    model.compile("adam", "categorical_crossentropy")
    # Keras: "Arguments `target` and `output` must have the same shape. Received:
    # target.shape=(32,), output.shape=(32, 3)"
    with pytest.raises(ValueError, match=r"(?s)target`? and `?output`? must have the same shape"
                                         r".*target\.shape=\(32,\).*output\.shape=\(32, 3\)"):
        model.fit(DATA["xa"], DATA["ya"], verbose=0)
    with pytest.raises(ValueError, match="Arguments not recognized"):
        model.evaluate(DATA["xa"], DATA["ya"], verbose=0, bad_argument=1)


def test_wrong_number_of_inputs():
    a, b = keras.Input((3,)), keras.Input((2,))
    model = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Concatenate()([a, b])))
    model.compile("sgd", "mse")
    x = [DATA["xa"][:, :3], DATA["xa"][:, 3:]]
    model.fit(x, DATA["xa"][:, :1], epochs=1, verbose=0)
    with pytest.raises(ValueError, match="2"):
        model.fit(DATA["xa"][:, :3], DATA["xa"][:, :1], epochs=1, verbose=0)


def test_fit_on_a_dataset():
    dataset = Dataset.from_tensor_slices((DATA["xa"], DATA["ya"])).batch(25)
    model = mlp_a()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(dataset, epochs=2, validation_data=dataset, verbose=0, shuffle=False)
    assert history.params["steps"] == 4
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    evaluated = model.evaluate(dataset, verbose=0, return_dict=True)
    np.testing.assert_allclose(
        list(evaluated.values()),
        list(model.evaluate(DATA["xa"], DATA["ya"], verbose=0, return_dict=True).values()),
        rtol=1e-5)


# -- metrics bookkeeping and compile config --------------------------------------------------------
def test_metrics_metrics_names_and_reset_metrics():
    model = mlp_a()
    assert model.metrics == [] and model.metrics_names == []
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.metrics_names == ["loss", "compile_metrics"]
    model.evaluate(DATA["xa"], DATA["ya"], verbose=0)
    result = model.get_metrics_result()
    assert list(result) == ["loss", "accuracy"] and float(result["loss"]) > 0
    model.reset_metrics()
    assert all(float(v) == 0 for v in model.get_metrics_result().values())
    # evaluate's list follows metrics_names with the compiled metrics expanded
    loss, acc = model.evaluate(DATA["xa"], DATA["ya"], verbose=0)
    logs = model.evaluate(DATA["xa"], DATA["ya"], verbose=0, return_dict=True)
    assert (loss, acc) == (logs["loss"], logs["accuracy"])
    only_loss = mlp_a()
    only_loss.compile("adam", "sparse_categorical_crossentropy")
    assert isinstance(only_loss.evaluate(DATA["xa"], DATA["ya"], verbose=0), float)


def test_compile_config_round_trip_and_matches_keras():
    args = dict(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                loss_weights=None)
    model = mlp_a()
    model.compile(**args)
    ref = mlp_a(rk)
    ref.compile(**args)
    ours, theirs = model.get_compile_config(), ref.get_compile_config()
    # "auto" resolves to a recorded CUDA-graph step where new tensors go to a GPU, else eager
    # (Keras's NumPy backend says True: XLA).
    theirs["jit_compile"] = tf.backends.get_backend().supports_capture
    for config in (ours, theirs):      # automatic names count optimizers made so far
        config["optimizer"]["config"].pop("name")
    assert ours == theirs
    assert mlp_a().get_compile_config() == {}
    fresh = mlp_a()
    fresh.compile_from_config(ours)
    assert fresh.compiled and type(fresh.optimizer).__name__ == "Adam"
    assert fresh.optimizer.built
    fresh_config = fresh.get_compile_config()
    fresh_config["optimizer"]["config"].pop("name")
    assert fresh_config == ours
    history = fresh.fit(DATA["xa"], DATA["ya"], epochs=1, verbose=0)
    assert list(history.history) == ["accuracy", "loss"]


# -- to_categorical / normalize --------------------------------------------------------------------
def test_to_categorical_matches_keras():
    from keras.utils import to_categorical as ref
    for value, n in [([0, 1, 2, 3], None), ([[1], [0], [2]], 4), (np.array([[0, 1], [2, 0]]), 3),
                     (np.array([2.7, 0.0]), None), (np.array([[3], [1]]), None)]:
        # Keras's array path (TF/JAX/torch backends) gives float64; its NumPy backend counts
        # NumPy arrays as tensors, so lists serve as the reference for the array path.
        ours, theirs = to_categorical(value, n), ref(np.asarray(value).tolist(), n)
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype == np.float64
        np.testing.assert_array_equal(ours, theirs)
    t = to_categorical(tf.constant([1, 0, 2]), 3)
    assert isinstance(t, tf.Tensor) and t.dtype == tf.float32
    np.testing.assert_array_equal(t.numpy(), np.eye(3)[[1, 0, 2]])
    assert to_categorical([1, 0], 2, dtype="float32").dtype == np.float32


def test_normalize_matches_keras():
    from keras.utils import normalize as ref
    x = RNG.normal(size=(4, 5))
    x[1] = 0
    for kwargs in ({}, {"order": 1}, {"axis": 1}, {"axis": -1, "order": 3}):
        np.testing.assert_allclose(normalize(x, **kwargs), ref(x, **kwargs), rtol=1e-12)
    np.testing.assert_allclose(normalize(x, axis=0), x / np.linalg.norm(x, axis=0, keepdims=True))
    t = normalize(tf.constant(x.astype("float32")))
    assert isinstance(t, tf.Tensor)
    np.testing.assert_allclose(t.numpy(), rk.ops.normalize(x.astype("float32")), rtol=1e-5,
                               atol=1e-7)
    with pytest.raises(ValueError, match="order"):
        normalize(x, order=0)


# -- the digits proof ------------------------------------------------------------------------------
def test_digits_mlp_reaches_93_percent():
    datasets = pytest.importorskip("sklearn.datasets")
    selection = pytest.importorskip("sklearn.model_selection")
    digits = datasets.load_digits()
    x = (digits.data / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = selection.train_test_split(
        x, digits.target, test_size=0.2, random_state=0)
    tf.random.set_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(x_train, to_categorical(y_train), epochs=15, batch_size=32,
                            validation_split=0.1, verbose=0)
    test_loss, test_acc = model.evaluate(x_test, to_categorical(y_test), verbose=0)
    assert test_acc >= 0.93, (test_acc, history.history)
    predicted = model.predict(x_test, verbose=0).argmax(-1)
    assert np.mean(predicted == y_test) == pytest.approx(test_acc, abs=1e-6)
