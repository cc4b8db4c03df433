"""keras.losses classes and functions against the real Keras 3 (NumPy backend), same inputs:
every loss, every reduction, sample weights, from_logits, label smoothing, ignore_class,
integer labels given as int or float; plus the worked values of the seed notes."""

import warnings

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.keras import losses
from tests.keras.losses._cases import CASES, CLASS_LOGITS, LABELS, ONE_HOT, B, C

keras = pytest.importorskip("keras")

# Keras's NumPy backend divides 0 / 0 on the rows ignore_class blanks out (it masks them later).
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered in divide")

REDUCTIONS = ["sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight"]


def _np(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _pair(name, **extra):
    cls_name, kwargs, y_true, y_pred = CASES[name]
    kwargs = {**kwargs, **extra}
    ref_kwargs = dict(kwargs)
    if cls_name == "CosineSimilarity" and kwargs.get("axis", -1) != -1:
        # Keras's NumPy backend normalises NumPy arrays along axis -1 whatever the axis
        # (`axis or -1` in keras.utils.normalize): compare through Keras's tensor path.
        ref_kwargs.pop("axis")
        ref = getattr(keras.losses, cls_name)(**ref_kwargs)
        return (getattr(losses, cls_name)(**kwargs), _Transposed(ref), y_true, y_pred)
    return (getattr(losses, cls_name)(**kwargs), getattr(keras.losses, cls_name)(**kwargs),
            y_true, y_pred)


class _Transposed:
    """A Keras loss applied to transposed inputs (axis 0 -> axis -1)."""

    def __init__(self, ref):
        self.ref = ref

    def call(self, y_true, y_pred):
        return self.ref.call(keras.ops.transpose(y_true), keras.ops.transpose(y_pred))

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self.ref(np.asarray(y_true).T, np.asarray(y_pred).T, sample_weight=sample_weight)


def _weights(ref, y_true, y_pred, seed=3):
    """Sample weights shaped like the per-sample losses Keras computes."""
    shape = np.shape(ref.call(keras.ops.convert_to_tensor(y_true, "float32"),
                              keras.ops.convert_to_tensor(y_pred, "float32")))
    return np.random.default_rng(seed).uniform(0.1, 2.0, size=shape).astype(np.float32)


def _close(ours, theirs, rtol=2e-5, atol=2e-6):
    ours, theirs = _np(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_matches_keras(name, reduction, weighted):
    ours, ref, y_true, y_pred = _pair(name, reduction=reduction)
    sw = _weights(ref, y_true, y_pred) if weighted else None
    got = ours(tf.constant(y_true), tf.constant(y_pred), sample_weight=sw)
    assert got.dtype == tf.float32
    _close(got, ref(y_true, y_pred, sample_weight=sw))


FUNCTIONS = {  # case -> function name, kwargs
    "mse": ("mean_squared_error", {}), "mae": ("mean_absolute_error", {}),
    "mape": ("mean_absolute_percentage_error", {}),
    "msle": ("mean_squared_logarithmic_error", {}),
    "cosine": ("cosine_similarity", {}), "huber_delta": ("huber", {"delta": 0.5}),
    "log_cosh": ("log_cosh", {}), "hinge_binary": ("hinge", {}),
    "squared_hinge": ("squared_hinge", {}), "categorical_hinge": ("categorical_hinge", {}),
    "kld": ("kl_divergence", {}), "poisson": ("poisson", {}),
    "bce_logits_smooth": ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    "bce": ("binary_crossentropy", {}),
    "bfce_logits_balanced": ("binary_focal_crossentropy",
                             {"from_logits": True, "apply_class_balancing": True}),
    "cce": ("categorical_crossentropy", {}),
    "cce_logits_smooth": ("categorical_crossentropy", {"from_logits": True,
                                                       "label_smoothing": 0.2}),
    "cfce": ("categorical_focal_crossentropy", {}),
    "scce_logits": ("sparse_categorical_crossentropy", {"from_logits": True}),
    "scce": ("sparse_categorical_crossentropy", {}),
    "scce_sequence_ignore": ("sparse_categorical_crossentropy",
                             {"from_logits": True, "ignore_class": -1}),
    "dice_axis": ("dice", {"axis": (1, 2, 3)}), "tversky": ("tversky", {"axis": (1, 2, 3)}),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_function_forms_match_keras(case):
    fn_name, kwargs = FUNCTIONS[case]
    _, _, y_true, y_pred = CASES[case]
    got = getattr(losses, fn_name)(tf.constant(y_true), tf.constant(y_pred), **kwargs)
    _close(got, getattr(keras.losses, fn_name)(keras.ops.convert_to_tensor(y_true),
                                                keras.ops.convert_to_tensor(y_pred), **kwargs))


def test_function_aliases():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.MAE is losses.mean_absolute_error
    assert losses.mape is losses.MAPE is losses.mean_absolute_percentage_error
    assert losses.msle is losses.MSLE is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.KLD is losses.kl_divergence
    assert losses.kullback_leibler_divergence is losses.kl_divergence
    assert losses.logcosh is losses.log_cosh
    assert tf.keras.losses is losses


def test_functions_accept_numpy_and_lists():
    got = losses.mean_squared_error([[1.0, 0.0]], [[0.5, 0.5]])
    np.testing.assert_allclose(_np(got), [0.25])
    got = losses.binary_crossentropy(np.array([[0, 1], [0, 0]]), np.array([[0.6, 0.4],
                                                                           [0.4, 0.6]]))
    np.testing.assert_allclose(_np(got), [0.916291, 0.713558], rtol=1e-5)


# -- the worked values of the seed notes (004) -------------------------------------------------------
def test_seed_binary_crossentropy_from_logits():
    y_true = tf.constant([0, 1, 0, 0])
    y_pred = tf.constant([-18.6, 0.51, 2.94, -12.8])
    bce = losses.BinaryCrossentropy(from_logits=True)
    loss = bce(y_true, y_pred)
    assert loss.dtype == tf.float32 and loss.shape == ()
    assert loss.numpy() == np.float32(0.865458)


def test_seed_categorical_crossentropy():
    y_true = tf.constant([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    y_pred = tf.constant([[0.05, 0.95, 0], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1]])
    cce = tf.keras.losses.CategoricalCrossentropy()
    assert cce(y_true, y_pred).numpy() == np.float32(0.85900736)


def test_seed_mse_listing():
    out = tf.random.normal([4, 10])
    y = tf.one_hot(tf.constant([2, 3, 2, 0]), depth=10)
    per_sample = tf.keras.losses.mse(y, out)
    assert per_sample.shape == (4,) and per_sample.dtype == tf.float32
    expected = np.mean((y.numpy() - out.numpy()) ** 2, axis=-1)
    np.testing.assert_allclose(per_sample.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(tf.reduce_mean(per_sample).numpy(), expected.mean(), rtol=1e-6)

    o = tf.random.normal([2, 10])
    y_onehot = tf.one_hot(tf.constant([1, 3]), depth=10)
    loss = tf.keras.losses.MSE(y_onehot, o)
    np.testing.assert_allclose(loss.numpy(), np.mean((y_onehot.numpy() - o.numpy()) ** 2, -1),
                               rtol=1e-6)
    criteon = tf.keras.losses.MeanSquaredError()
    np.testing.assert_allclose(criteon(y_onehot, o).numpy(), tf.reduce_mean(loss).numpy(),
                               rtol=1e-6)


def test_keras_docstring_examples():
    y_true = np.array([[0, 1], [0, 0]])
    y_pred = np.array([[-18.6, 0.51], [2.94, -12.8]])
    bce = losses.BinaryCrossentropy(from_logits=True)
    np.testing.assert_allclose(_np(bce(y_true, y_pred)), 0.8654, atol=1e-4)
    np.testing.assert_allclose(_np(bce(y_true, y_pred, sample_weight=[0.8, 0.2])), 0.243,
                               atol=1e-3)
    np.testing.assert_allclose(_np(losses.BinaryCrossentropy(from_logits=True,
                                                             reduction="sum")(y_true, y_pred)),
                               1.730, atol=1e-3)
    np.testing.assert_allclose(_np(losses.BinaryCrossentropy(from_logits=True,
                                                             reduction=None)(y_true, y_pred)),
                               [0.235, 1.496], atol=1e-3)
    cce = losses.CategoricalCrossentropy()
    yt, yp = np.array([[0, 1, 0], [0, 0, 1]]), np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(_np(cce(yt, yp)), 1.177, atol=1e-3)
    np.testing.assert_allclose(_np(cce(yt, yp, sample_weight=np.array([0.3, 0.7]))), 0.814,
                               atol=1e-3)
    focal = losses.BinaryFocalCrossentropy(gamma=2, from_logits=True)
    np.testing.assert_allclose(_np(focal([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8])), 0.691,
                               atol=1e-3)


# -- labels -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("labels", [LABELS, LABELS.astype(np.int64), LABELS.astype(np.float32),
                                    LABELS.astype(np.float64), LABELS[:, None], LABELS.tolist()],
                         ids=["int32", "int64", "float32", "float64", "column", "list"])
@pytest.mark.parametrize("from_logits", [True, False])
def test_sparse_labels_int_or_float(labels, from_logits):
    pred = CLASS_LOGITS if from_logits else CASES["scce"][3]
    ours = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    _close(ours(labels, tf.constant(pred)), ref(np.asarray(labels), pred))
    dense = losses.CategoricalCrossentropy(from_logits=from_logits)(ONE_HOT, pred)
    _close(ours(labels, pred), dense)


def test_sparse_ignore_class_gives_zero_and_is_left_out_of_the_mean():
    labels = np.array([1, -1, 3, -1], dtype=np.int32)
    loss_none = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                     reduction="none")
    per_sample = _np(loss_none(labels, CLASS_LOGITS))
    assert per_sample[1] == 0 and per_sample[3] == 0
    full = _np(losses.sparse_categorical_crossentropy(np.array([1, 0, 3, 0]), CLASS_LOGITS,
                                                      from_logits=True))
    np.testing.assert_allclose(per_sample[[0, 2]], full[[0, 2]], rtol=1e-6)
    mean = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    np.testing.assert_allclose(_np(mean(labels, CLASS_LOGITS)), full[[0, 2]].mean(), rtol=1e-6)
    assert loss_none(labels, CLASS_LOGITS).shape == (B,)


def test_integer_predictions_become_float():
    got = losses.mean_squared_error(np.array([[1, 2]]), np.array([[2, 4]]))
    assert got.dtype == tf.float32
    np.testing.assert_allclose(_np(got), [2.5])


def test_hinge_keeps_non_binary_labels():
    y_true = np.array([[-1.0, 1.0, 0.0]], np.float32)   # not all 0/1: used as they are
    y_pred = np.array([[0.3, -0.2, 0.7]], np.float32)
    _close(losses.hinge(y_true, y_pred), keras.losses.hinge(y_true, y_pred))


def test_categorical_crossentropy_warns_on_one_class():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.full((2, 1), 0.5))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(ONE_HOT, CLASS_LOGITS, axis=True)


def test_dtype_argument():
    y_true, y_pred = CASES["mse"][2], CASES["mse"][3]
    got = losses.MeanSquaredError(dtype="float64")(y_true, y_pred.astype(np.float64))
    assert got.dtype == tf.float64
    # the default dtype is floatx: float64 inputs are computed in float32, as in Keras
    got = losses.MeanSquaredError()(y_true.astype(np.float64), y_pred.astype(np.float64))
    assert got.dtype == tf.float32
    assert losses.MeanSquaredError().dtype == "float32"
    assert losses.MeanSquaredError(dtype="mixed_float16").dtype == "float16"
    ref = keras.losses.MeanSquaredError(dtype="float64")
    _close(losses.MeanSquaredError(dtype="float64")(y_true, y_pred), ref(y_true, y_pred))


def test_large_logits_stay_finite():
    big = 1e4
    logits = np.array([[big, -big, 0.0], [-big, big, big]], np.float32)
    labels01 = np.array([[0, 1, 1], [1, 0, 1]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        bce = losses.BinaryCrossentropy(from_logits=True, reduction="none")(labels01, logits)
        exact = np.maximum(logits, 0) - logits * labels01 + np.log1p(np.exp(-np.abs(logits)))
        np.testing.assert_allclose(_np(bce), exact.mean(-1), rtol=1e-6)
        one_hot = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
        cce = losses.CategoricalCrossentropy(from_logits=True, reduction="none")(one_hot, logits)
        lg = logits.astype(np.float64)
        lse = lg.max(-1) + np.log(np.exp(lg - lg.max(-1, keepdims=True)).sum(-1))
        np.testing.assert_allclose(_np(cce), lse - (one_hot * lg).sum(-1), rtol=1e-6)
        scce = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(
            np.array([1, 0]), logits)
        np.testing.assert_allclose(_np(scce), _np(cce), rtol=1e-6)
        focal = losses.BinaryFocalCrossentropy(from_logits=True)(labels01, logits)
        assert np.isfinite(_np(focal))
        for loss in (losses.BinaryCrossentropy(from_logits=True),
                     losses.CategoricalCrossentropy(from_logits=True),
                     losses.BinaryFocalCrossentropy(from_logits=True)):
            x = tf.constant(logits)
            with tf.GradientTape() as tape:
                tape.watch(x)
                value = loss(labels01 if "Binary" in type(loss).__name__ else one_hot, x)
            grad = _np(tape.gradient(value, x))
            assert np.isfinite(_np(value)) and np.all(np.isfinite(grad))


def test_probabilities_are_clipped_to_epsilon():
    y_true = np.array([[1.0, 0.0]], np.float32)
    y_pred = np.array([[0.0, 1.0]], np.float32)
    eps = np.float32(1e-7)
    bce = _np(losses.binary_crossentropy(y_true, y_pred))
    expected = (-np.log(eps) - np.log(np.float32(1) - (np.float32(1) - eps))) / 2
    np.testing.assert_allclose(bce, [expected], rtol=1e-5)
    _close(bce, keras.losses.binary_crossentropy(y_true, y_pred))
    cce = _np(losses.categorical_crossentropy(y_true, y_pred))
    np.testing.assert_allclose(cce, [-np.log(eps)], rtol=1e-5)
    _close(cce, keras.losses.categorical_crossentropy(y_true, y_pred))


def test_sample_weight_shapes():
    ours, ref, y_true, y_pred = _pair("scce_sequence_ignore")
    for sw in (np.array([0.5, 2.0], np.float32), np.array([[0.5], [2.0]], np.float32),
               np.arange(6, dtype=np.float32).reshape(2, 3) / 3):
        if sw.shape == (2,):   # per-sequence weights against (2, 3) losses do not broadcast
            with pytest.raises(ValueError):
                ours(y_true, y_pred, sample_weight=sw)
            continue
        # (Keras's NumPy backend multiplies a (2, 1) weight by the (2, 3) mask in place and
        # fails; its other backends broadcast, which is what the full-shape weight gives.)
        full = np.broadcast_to(sw, (2, 3)).copy()
        _close(ours(y_true, y_pred, sample_weight=sw), ref(y_true, y_pred, sample_weight=full))
    mse, mse_ref, y_true, y_pred = _pair("mse")
    sw = np.array([[1.0], [0.0], [2.0], [0.5]], np.float32)
    _close(mse(y_true, y_pred, sample_weight=sw), mse_ref(y_true, y_pred, sample_weight=sw))
    _close(mse(y_true, y_pred, sample_weight=2.0), mse_ref(y_true, y_pred, sample_weight=2.0))


def test_rank_matching_of_labels_and_predictions():
    y_true = np.array([0.0, 1.0, 1.0], np.float32)
    y_pred = np.array([[0.2], [0.7], [0.9]], np.float32)
    for cls in ("BinaryCrossentropy", "MeanSquaredError", "Huber", "LogCosh"):
        ours = getattr(losses, cls)(reduction="none")
        ref = getattr(keras.losses, cls)(reduction="none")
        _close(ours(y_true, y_pred), ref(y_true, y_pred))
        _close(ours(y_pred, y_true), ref(y_pred, y_true))


def test_empty_batch():
    loss = losses.MeanSquaredError()(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32))
    assert loss.shape == (0,)
    loss = losses.CategoricalCrossentropy()(np.zeros((0, 2, 3), np.float32),
                                            np.zeros((0, 2, 3), np.float32))
    assert float(loss) == 0.0


def test_all_keras_names_are_here():
    from keras.src.losses import ALL_OBJECTS_DICT
    skipped = {"CTC", "ctc", "CategoricalGeneralizedCrossEntropy",
               "categorical_generalized_cross_entropy"}
    missing = sorted(set(ALL_OBJECTS_DICT) - set(losses.ALL_OBJECTS_DICT) - skipped)
    assert not missing
    assert C == 5


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_crossentropy_fused_path_equals_keras_and_keeps_integer_labels(from_logits):
    """The one-op path (integer or float labels, the softmax output of a model) gives Keras's
    values, also for probabilities it clips (confident mistakes), and gradients equal to the
    same loss taken with float labels."""
    rng = np.random.default_rng(21)
    logits = (rng.standard_normal((6, 4)) * 12).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)   # some below 1e-7
    y_pred = logits if from_logits else probs
    labels = np.array([0, 3, 1, 2, 2, 0])
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    for y_true in (labels, labels.astype(np.uint8), labels.astype(np.float32)):
        _close(loss(y_true, y_pred), ref(y_true, y_pred))
        _close(losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits),
               keras.losses.sparse_categorical_crossentropy(y_true, y_pred,
                                                            from_logits=from_logits))
    grads = []
    for y_true in (tf.constant(labels), tf.constant(labels.astype(np.float32))):
        p = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(p)
            value = loss(y_true, p)
        grads.append(tape.gradient(value, p).numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
