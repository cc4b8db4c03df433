"""The CUDA-graph train/test step (compile(jit_compile=...) on a GPU) against eager steps."""

import warnings

import numpy as np
import pytest

import gpukeras as tf
from gpukeras import keras

pytestmark = pytest.mark.gpu

RNG = np.random.default_rng(0)
X = RNG.standard_normal((96, 12)).astype(np.float32)
Y = RNG.integers(0, 4, 96)


def _model(dropout=False):
    layers = [keras.Input((12,)), keras.layers.Dense(16, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(0.5))
    layers.append(keras.layers.Dense(4, activation="softmax"))
    return keras.Sequential(layers)


def _train(jit, optimizer="adam", epochs=3, callbacks=None, dropout=False, **fit):
    tf.random.set_seed(3)
    with tf.device("gpu"):
        model = _model(dropout)
        model.compile(keras.optimizers.get(optimizer), "sparse_categorical_crossentropy",
                      metrics=["accuracy"], jit_compile=jit)
        history = model.fit(X, Y, batch_size=16, epochs=epochs, verbose=0, shuffle=False,
                            callbacks=callbacks, **fit)
    return model, history


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad", "nadam", "adamw"])
def test_recorded_training_equals_eager_training(optimizer):
    eager, h_eager = _train(False, optimizer)
    graph, h_graph = _train(True, optimizer)
    step = graph.train_function
    assert step.disabled is None and step._recordings, step.disabled
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(h_graph.history[key], h_eager.history[key], rtol=2e-5)
    for a, b in zip(graph.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(graph.optimizer.iterations.numpy(), 18)


def test_auto_records_on_a_gpu_and_evaluate_is_recorded_too():
    model, _ = _train("auto")
    assert model.jit_compile is True and model.train_function._recordings
    with tf.device("gpu"):
        first = model.evaluate(X, Y, batch_size=16, verbose=0)
        again = model.evaluate(X, Y, batch_size=16, verbose=0)
    assert model.test_function._recordings
    np.testing.assert_allclose(first, again, rtol=1e-6)


def test_values_assigned_between_steps_reach_the_graph():
    """set_weights, a learning-rate callback and metric resets all land in the replayed step."""
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 / (epoch + 1))
    eager, h_eager = _train(False, callbacks=[schedule])
    graph, h_graph = _train(True, callbacks=[schedule])
    np.testing.assert_allclose(h_graph.history["loss"], h_eager.history["loss"], rtol=2e-5)
    with tf.device("gpu"):
        graph.set_weights(eager.get_weights())
        a = graph.evaluate(X, Y, batch_size=16, verbose=0)
        b = eager.evaluate(X, Y, batch_size=16, verbose=0)
    np.testing.assert_allclose(a, b, rtol=2e-5)


def test_a_step_with_random_numbers_runs_eagerly_and_says_why():
    with pytest.warns(UserWarning, match="random numbers"):
        model, history = _train(True, dropout=True, epochs=1)
    assert "random" in model.train_function.disabled
    assert np.isfinite(history.history["loss"][0])


def test_a_step_that_reads_back_runs_eagerly_with_auto_silently():
    class Reading(keras.Model):
        def train_step(self, data):
            logs = super().train_step(data)
            float(logs["loss"])          # a host read: cannot be recorded
            return logs

    with tf.device("gpu"):
        inputs = keras.Input((12,))
        model = Reading(inputs, keras.layers.Dense(4, activation="softmax")(inputs))
        model.compile("adam", "sparse_categorical_crossentropy")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    assert model.train_function.disabled


def test_out_of_range_labels_are_reported_at_the_end_of_the_epoch():
    """The fused sparse cross-entropy kernel flags the label on the device; fit reads the flag
    once per epoch (recorded or not), where it reads the metrics anyway."""
    bad = Y.copy()
    bad[50] = 9
    with tf.device("gpu"):
        inputs = keras.Input((12,))
        model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=True)
        with pytest.raises(ValueError, match="label value of 9"):
            model.fit(X, bad, batch_size=16, epochs=2, verbose=0)


def test_recorded_predict_keeps_every_batch_and_follows_new_weights():
    with tf.device("gpu"):
        model = _model()                       # not compiled: predict records by default
        expected = model(X).numpy()
        for _ in range(2):                     # warm-up, recording, then replays
            np.testing.assert_allclose(model.predict(X, batch_size=16, verbose=0), expected,
                                       rtol=1e-5, atol=1e-6)
        assert model.predict_function._recordings
        weights = [w * 0.5 for w in model.get_weights()]
        model.set_weights(weights)
        np.testing.assert_allclose(model.predict(X, batch_size=16, verbose=0), model(X).numpy(),
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.predict_on_batch(X[:16]), model(X[:16]).numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_a_held_variable_value_keeps_what_it_read_while_recorded_steps_run():
    model, _ = _train(True, epochs=2)
    kernel = model.layers[0].kernel
    held = kernel.value()
    before = held.numpy().copy()
    with tf.device("gpu"):
        model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    assert model.train_function._recordings
    np.testing.assert_array_equal(held.numpy(), before)
    assert not np.array_equal(kernel.numpy(), before)
