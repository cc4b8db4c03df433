"""TensorFlow's "quickstart for beginners" as a user first meets it: Flatten, Dense(128, relu),
Dropout(0.2), Dense(10) logits, Adam, sparse cross-entropy from logits, accuracy, one epoch of
60,000 28x28 images at the default batch size of 32 (1,875 steps), on random data.

``python -m benchmarks.quickstart`` times gpukeras; ``--impl keras`` times real Keras 3 on the
backend ``KERAS_BACKEND`` names (run it with an interpreter that has it, e.g. the one of
``GPUKERAS_BENCH_TF_PYTHON`` for TensorFlow). Prints one JSON line: seconds per epoch, ms/step.
"""

import argparse
import json
import time

import numpy as np

BATCH = 32


def build(keras):
    model = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10)])
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def run(impl="gpukeras", samples=60000):
    """``{"impl", "epoch_s", "ms_per_step"}`` for one epoch after a short warm-up epoch."""
    if impl == "gpukeras":
        from gpukeras import keras
    else:
        import keras
    rng = np.random.default_rng(0)
    x = rng.random((samples, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, samples)
    model = build(keras)
    model.fit(x[:BATCH * 100], y[:BATCH * 100], epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, y, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    steps = -(-samples // BATCH)
    return {"impl": impl, "epoch_s": seconds, "ms_per_step": 1e3 * seconds / steps}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quickstart", description=__doc__)
    parser.add_argument("--impl", choices=("gpukeras", "keras"), default="gpukeras")
    parser.add_argument("--samples", type=int, default=60000)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.impl, args.samples)))


if __name__ == "__main__":
    main()
