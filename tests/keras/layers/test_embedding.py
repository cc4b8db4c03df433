"""keras.layers.Embedding against the real Keras 3 (NumPy backend), NumPy and finite
differences."""

import warnings

import numpy as np
import pytest

import gpukeras as tf
from gpukeras import keras
from gpukeras.keras.layers import core as L
from tests.keras.layers._reference import check_weight_gradients, comparable_config, to_np

K = pytest.importorskip("keras")

RNG = np.random.default_rng(1)
IDS = RNG.integers(0, 10, size=(4, 6)).astype(np.int32)
IDS[0, 4:] = 0
IDS[2, 5] = 0


def _keras_twin(ours, **kwargs):
    theirs = K.layers.Embedding(ours.input_dim, ours.output_dim, **kwargs)
    theirs.build()
    theirs.set_weights(ours.get_weights())
    return theirs


def test_lookup_matches_keras_and_numpy():
    layer = L.Embedding(10, 3)
    out = layer(IDS)
    assert out.dtype == tf.float32 and tuple(out.shape) == (4, 6, 3)
    table = layer.embeddings.numpy()
    np.testing.assert_array_equal(to_np(out), table[IDS])
    np.testing.assert_array_equal(to_np(out), np.asarray(_keras_twin(layer)(IDS)))


def test_seed_listing_shape():
    """``embedding = layers.Embedding(10000, 100); out = embedding(x_train)`` on (25000, 80)
    token ids gives (25000, 80, 100); the same at a smaller size."""
    x_train = RNG.integers(0, 1000, size=(250, 8))
    out = L.Embedding(1000, 10)(x_train)
    assert tuple(out.shape) == (250, 8, 10) and out.dtype == tf.float32


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "uint8"])
def test_other_input_dtypes_are_cast_to_int(dtype):
    layer = L.Embedding(10, 3)
    ids = IDS.astype(dtype)
    out = layer(ids)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(to_np(out), layer.embeddings.numpy()[IDS])
    np.testing.assert_array_equal(to_np(out), np.asarray(_keras_twin(layer)(ids)))


def test_float_ids_truncate_like_keras():
    layer = L.Embedding(10, 2)
    ids = np.array([[1.7, 2.2, 0.9]], np.float32)
    np.testing.assert_array_equal(to_np(layer(ids)), np.asarray(_keras_twin(layer)(ids)))


def test_weights_name_shape_and_initializer():
    layer = L.Embedding(7, 5)
    with pytest.raises(AttributeError, match="build the layer"):
        layer.embeddings
    layer.build()
    (weight,) = layer.weights
    assert weight.name == "embeddings" and tuple(weight.shape) == (7, 5)
    assert weight is layer.embeddings and layer.trainable_weights == [weight]
    assert weight.path == f"{layer.name}/embeddings"
    values = weight.numpy()
    assert values.dtype == np.float32 and np.all(np.abs(values) <= 0.05)   # uniform(-.05, .05)
    assert layer.count_params() == 35


def test_symbolic_output_is_float_for_integer_inputs():
    layer = L.Embedding(10, 4)
    out = layer(keras.Input((6,), dtype="int32"))
    theirs = K.layers.Embedding(10, 4)(K.Input((6,), dtype="int32"))
    assert out.shape == tuple(theirs.shape) == (None, 6, 4)
    assert out.dtype == tf.float32 and theirs.dtype == "float32"
    assert layer.compute_output_shape((None, None)) == (None, None, 4)
    assert L.Embedding(10, 4, dtype="float64")(keras.Input((6,), dtype="int32")).dtype == tf.float64


def test_in_a_model():
    model = keras.Sequential([keras.Input((6,), dtype="int32"), L.Embedding(10, 4), L.Flatten()])
    assert tuple(model(IDS).shape) == (4, 24)


def test_mask_zero():
    layer = L.Embedding(10, 3, mask_zero=True)
    assert layer.supports_masking
    out = layer(IDS)
    np.testing.assert_array_equal(to_np(out._keras_mask), IDS != 0)
    np.testing.assert_array_equal(to_np(layer.compute_mask(tf.constant(IDS))),
                                  np.asarray(K.layers.Embedding(10, 3, mask_zero=True)
                                             .compute_mask(IDS)))
    plain = L.Embedding(10, 3)
    assert not plain.supports_masking and plain.compute_mask(tf.constant(IDS)) is None
    assert getattr(plain(IDS), "_keras_mask", None) is None


def test_mask_zero_flows_through_pass_through_layers():
    out = L.Dropout(0.5)(L.Embedding(10, 3, mask_zero=True)(IDS))
    np.testing.assert_array_equal(to_np(out._keras_mask), IDS != 0)


@pytest.mark.parametrize("kwargs", [
    {}, {"mask_zero": True},
    {"embeddings_initializer": "glorot_normal", "embeddings_regularizer": "l2",
     "embeddings_constraint": "non_neg", "activity_regularizer": "l1"},
    {"embeddings_initializer": {"class_name": "RandomNormal", "config": {"stddev": 0.3}}},
    {"dtype": "float64"}])
def test_config_matches_keras_and_round_trips(kwargs):
    ours = L.Embedding(12, 4, **kwargs)
    config = ours.get_config()
    assert comparable_config(config) == comparable_config(K.layers.Embedding(12, 4, **kwargs)
                                                          .get_config())
    clone = L.Embedding.from_config(config)
    assert clone.get_config() == config
    theirs = K.layers.Embedding.from_config(config)
    assert comparable_config(theirs.get_config()) == comparable_config(config)
    again = L.Embedding.from_config(theirs.get_config())
    assert comparable_config(again.get_config()) == comparable_config(config)


def test_regularizer_losses_and_constraint():
    layer = L.Embedding(6, 2, embeddings_regularizer=keras.regularizers.L2(0.1),
                        embeddings_constraint="non_neg")
    layer(IDS % 6)
    (loss,) = layer.losses
    np.testing.assert_allclose(float(loss), 0.1 * (layer.embeddings.numpy() ** 2).sum(),
                               rtol=1e-6)
    assert isinstance(layer.embeddings_constraint, keras.constraints.NonNeg)
    assert layer.embeddings.constraint is layer.embeddings_constraint


def test_initial_weights_argument():
    table = RNG.normal(size=(10, 3)).astype(np.float32)
    layer = L.Embedding(10, 3, weights=table)
    assert layer.built
    np.testing.assert_array_equal(to_np(layer(IDS)), table[IDS])
    layer = L.Embedding(10, 3, weights=[table])
    np.testing.assert_array_equal(layer.get_weights()[0], table)


@pytest.mark.parametrize("args", [(0, 3), (10, 0), (10.0, 3), (True, 3), (10, -2)])
def test_dimension_errors_match_keras(args):
    with pytest.raises(ValueError) as ours:
        L.Embedding(*args)
    with pytest.raises(ValueError) as theirs:
        K.layers.Embedding(*args)
    assert str(ours.value) == str(theirs.value)


def test_input_length_is_deprecated_and_lora_is_refused():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L.Embedding(10, 3, input_length=6)
    assert any("input_length" in str(w.message) for w in caught)
    with pytest.raises(NotImplementedError, match="LoRA"):
        L.Embedding(10, 3, lora_rank=2)


def test_out_of_range_ids_raise_on_the_cpu():
    with tf.device("cpu"):
        with pytest.raises(ValueError, match="gather"):
            L.Embedding(5, 2)(np.array([[1, 5]]))


@pytest.mark.gpu
def test_out_of_range_ids_give_zero_vectors_on_a_gpu():
    """Like TensorFlow on a GPU: ids are not read back to the host, out-of-range rows are 0."""
    with tf.device("gpu"):
        layer = L.Embedding(5, 2)
        out = layer(np.array([[1, 5]])).numpy()
    np.testing.assert_array_equal(out[0, 1], [0.0, 0.0])
    np.testing.assert_array_equal(out[0, 0], layer.embeddings.numpy()[1])


def test_gradient_wrt_embeddings():
    layer = L.Embedding(6, 3, dtype="float64")
    ids = np.array([[0, 2, 2], [5, 2, 1]])
    check_weight_gradients(layer, ids)
    # closed form: rows summed per index
    w = RNG.normal(size=(2, 3, 3))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(ids) * w)
    expected = np.zeros((6, 3))
    np.add.at(expected, ids, w)
    np.testing.assert_allclose(to_np(tape.gradient(total, layer.embeddings)), expected)
    assert layer(ids).dtype == tf.float64
