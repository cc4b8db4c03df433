"""The Metric base class, get / serialize / deserialize, the seed listings, and the training-loop
contract: update_state keeps everything on the device (nothing is read back to the host)."""

import numpy as np
import pytest

import gpukeras as tf
from gpukeras.core.tensor import Tensor
from gpukeras.core.variable import Variable as CoreVariable
from gpukeras.keras import metrics
from gpukeras.keras.variables import Variable
from tests.keras.metrics._reference import as_np, batches, keras

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:keras")


class BinaryTruePositives(metrics.Metric):
    """The example subclass of Keras's Metric docstring."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros",
                                                name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        from gpukeras import ops
        values = ops.cast(ops.logical_and(ops.cast(y_true, "bool"), ops.cast(y_pred, "bool")),
                          self.dtype)
        if sample_weight is not None:
            values = values * ops.broadcast_to(ops.cast(sample_weight, self.dtype),
                                               ops.shape(values))
        self.true_positives.assign(self.true_positives + ops.sum(values))

    def result(self):
        return self.true_positives.value()


def test_custom_metric_subclass():
    m = BinaryTruePositives()
    assert m(np.array([1, 1, 0, 1]), np.array([1, 0, 1, 1])).numpy() == 2.0
    m.update_state([1, 1], [1, 1], sample_weight=[0.5, 2.0])
    assert float(m.result()) == 4.5
    [v] = m.variables
    assert isinstance(v, Variable) and not v.trainable
    assert v.path == "binary_true_positives/true_positives" and v.name == "true_positives"
    m.reset_states()
    assert float(m.result()) == 0.0
    assert repr(m) == "<BinaryTruePositives name=binary_true_positives>"
    assert m.get_config() == {"name": "binary_true_positives", "dtype": "float32"}


def test_forgetting_super_init_is_reported():
    class Broken(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_variables_and_sub_metrics_assigned_as_attributes_are_tracked():
    class Pair(metrics.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.a = metrics.Mean(name="a")
            self.b = metrics.Sum(name="b")
            self.extra = Variable(0.0, trainable=False, name="extra")

        def update_state(self, x):
            self.a.update_state(x)
            self.b.update_state(x)

        def result(self):
            return self.a.result() + self.b.result()

    m = Pair()
    assert [v.path for v in m.variables] == ["extra", "a/total", "a/count", "b/total"]
    m.update_state([1.0, 3.0])
    assert float(m.result()) == 6.0
    m.reset_state()
    assert all(not as_np(v).any() for v in m.variables)


def test_variable_layout_matches_keras():
    for name in ("Mean", "Accuracy", "AUC", "Precision", "RootMeanSquaredError"):
        ours = getattr(metrics, name)(name="m")
        theirs = getattr(keras.metrics, name)(name="m")
        assert [(v.path, tuple(v.shape)) for v in ours.variables] == \
            [(v.path, tuple(v.shape)) for v in theirs.variables], name


def test_auto_names_are_unique_snake_case():
    first, second = metrics.AUC(), metrics.AUC()
    assert first.name.startswith("auc") and first.name != second.name


def test_dtype_policy_names_give_the_compute_dtype():
    assert metrics.Mean(dtype="mixed_float16").dtype == "float16"
    assert metrics.Mean(dtype={"class_name": "DTypePolicy",
                               "config": {"name": "float64"}}).dtype == "float64"
    assert metrics.Mean(dtype=tf.float64).dtype == "float64"


def test_stateless_forms_match_keras_and_leave_state_alone():
    ours, theirs = metrics.Mean(), keras.metrics.Mean()
    ours.update_state([10.0])
    start = [np.float32(1.0), np.float32(1.0)]
    new = ours.stateless_update_state([tf.constant(v) for v in start], [1.0, 2.0])
    expected = theirs.stateless_update_state(start, [1.0, 2.0])
    np.testing.assert_allclose([as_np(v) for v in new], [np.asarray(v) for v in expected])
    assert float(ours.stateless_result(new)) == pytest.approx(float(
        theirs.stateless_result(expected)))
    assert [float(v) for v in ours.stateless_reset_state()] == [0.0, 0.0]
    assert float(ours.result()) == 10.0   # the metric's own state is unchanged
    with pytest.raises(ValueError, match="metric_variables"):
        ours.stateless_result([tf.constant(1.0)])


# -- get / serialize / deserialize ---------------------------------------------------------------
def test_names_are_those_of_keras():
    from keras.src.metrics import ALL_OBJECTS_DICT as KERAS_NAMES
    missing = set(metrics.ALL_OBJECTS_DICT) - set(KERAS_NAMES)
    assert not missing
    for name, cls in metrics.ALL_OBJECTS_DICT.items():
        assert cls.__name__ == KERAS_NAMES[name].__name__, name


@pytest.mark.parametrize("identifier,cls", [
    ("accuracy", metrics.Accuracy), ("mse", metrics.MeanSquaredError),
    ("MAE", metrics.MeanAbsoluteError), ("bce", metrics.BinaryCrossentropy),
    ("AUC", metrics.AUC), ("auc", metrics.AUC), ("precision", metrics.Precision),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    (metrics.Recall, metrics.Recall),
    ({"class_name": "BinaryAccuracy", "config": {"threshold": 0.7}}, metrics.BinaryAccuracy),
])
def test_get(identifier, cls):
    m = metrics.get(identifier)
    assert type(m) is cls
    theirs = keras.metrics.get(identifier if not isinstance(identifier, type)
                               else getattr(keras.metrics, identifier.__name__))
    assert type(theirs).__name__ == cls.__name__
    if isinstance(identifier, dict):
        assert m.threshold == 0.7


def test_get_passes_instances_and_functions_through():
    m = metrics.Mean()
    assert metrics.get(m) is m
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    assert metrics.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("no_such_metric")


@pytest.mark.parametrize("make", [
    lambda m: m.Mean(name="loss"), lambda m: m.AUC(name="a", curve="PR", num_thresholds=50),
    lambda m: m.Precision(name="p", thresholds=[0.3, 0.6], class_id=1),
    lambda m: m.SparseTopKCategoricalAccuracy(name="t", k=3),
    lambda m: m.BinaryCrossentropy(name="b", from_logits=True, label_smoothing=0.1),
    lambda m: m.SensitivityAtSpecificity(0.4, name="s")])
def test_serialize_matches_keras_and_round_trips(make):
    ours, theirs = make(metrics), make(keras.metrics)
    config = metrics.serialize(ours)
    assert config == keras.metrics.serialize(theirs)
    clone = metrics.deserialize(config)
    assert type(clone) is type(ours) and clone.get_config() == ours.get_config()
    # A config written by real Keras loads too.
    assert metrics.deserialize(keras.metrics.serialize(theirs)).get_config() == \
        ours.get_config()


def test_function_serialization_matches_keras():
    assert metrics.serialize(metrics.mean_squared_error) == \
        keras.metrics.serialize(keras.metrics.mean_squared_error)
    assert metrics.deserialize("mean_squared_error").__class__ is metrics.MeanSquaredError


# -- the seed listings -----------------------------------------------------------------------
def test_seed_listing_loss_meter():
    loss_meter = metrics.Mean()
    for loss in (tf.constant(0.5), tf.constant(1.5)):
        loss_meter.update_state(float(loss))
    assert float(loss_meter.result()) == 1.0
    loss_meter.reset_states()
    assert float(loss_meter.result()) == 0.0


def test_seed_listing_accuracy_meter():
    acc_meter = metrics.Accuracy()
    y = tf.constant([1, 2, 0, 1], dtype=tf.int64)
    pred = tf.argmax(tf.constant(np.eye(3, dtype=np.float32)[[1, 2, 1, 1]]), axis=-1)
    acc_meter.update_state(y, pred)
    value = acc_meter.result().numpy()
    assert isinstance(value, np.floating) and value == 0.75


# -- the training-loop contract --------------------------------------------------------------
@pytest.fixture
def no_host_reads(monkeypatch):
    """Make every way of reading a tensor or Variable back to the host raise."""
    def refuse(*args, **kwargs):
        raise AssertionError("a metric read a value back to the host in update_state")

    def patch_all():
        for cls in (Tensor, CoreVariable):
            for attr in ("numpy", "__array__", "__bool__", "__float__", "__int__", "__index__"):
                monkeypatch.setattr(cls, attr, refuse)
        monkeypatch.setattr(Tensor, "_scalar", refuse)
    return patch_all


DEVICE_ONLY = [
    ("Mean", {}, "values"), ("Sum", {}, "values"), ("Accuracy", {}, "int_labels"),
    ("BinaryAccuracy", {}, "binary"), ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"), ("TopKCategoricalAccuracy", {"k": 2},
                                                  "categorical"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("AUC", {}, "binary"), ("AUC", {"multi_label": True, "curve": "PR"}, "multilabel"),
    ("AUC", {"thresholds": [0.2, 0.7]}, "binary"),
    ("Precision", {"top_k": 2}, "multilabel"), ("Recall", {"class_id": 1}, "multilabel"),
    ("TruePositives", {"thresholds": [0.3, 0.6]}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("MeanSquaredError", {}, "regression"), ("RootMeanSquaredError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"), ("R2Score", {}, "regression"),
    ("Hinge", {}, "hinge01"), ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse"),
]


@pytest.mark.parametrize("case", DEVICE_ONLY, ids=lambda c: f"{c[0]}-{c[2]}" if isinstance(
    c, tuple) else str(c))
def test_update_state_and_result_never_read_back_to_the_host(case, no_host_reads):
    name, kwargs, kind = case
    m = getattr(metrics, name)(**kwargs)
    (first, second, _), rng = batches(kind)
    args = [tf.constant(a) for a in first]          # data already on the device
    more = [tf.constant(a) for a in second]
    weights = tf.constant(rng.random(len(second[0])).astype(np.float32))
    m.update_state(*args)                            # (builds lazily-made variables)
    no_host_reads()
    m.update_state(*more, sample_weight=weights)
    out = m.result()
    assert isinstance(out, Tensor)
    m.reset_state()


@pytest.mark.gpu
@pytest.mark.parametrize("case", DEVICE_ONLY, ids=lambda c: f"{c[0]}-{c[2]}" if isinstance(
    c, tuple) else str(c))
def test_gpu_update_state_never_synchronizes(case):
    """On a GPU, CuPy itself refuses host synchronization inside the block (its deprecated
    ``allow_synchronize`` guard, where this CuPy still has it), and the values equal the CPU's."""
    import contextlib
    cupyx = pytest.importorskip("cupyx")
    guard = getattr(cupyx, "allow_synchronize", None)
    no_sync = guard(False) if guard is not None else contextlib.nullcontext()
    name, kwargs, kind = case
    with tf.device("gpu:0"):
        m = getattr(metrics, name)(**kwargs)
        (first, second, _), rng = batches(kind)
        args = [tf.constant(a) for a in first]
        more = [tf.constant(a) for a in second]
        weights = tf.constant(rng.random(len(second[0])).astype(np.float32))
        m.update_state(*args)
        with no_sync:
            m.update_state(*more, sample_weight=weights)
            out = m.result()
        assert "GPU" in out.device
    with tf.device("cpu"):   # the same numbers as on the CPU
        expected = getattr(metrics, name)(**kwargs)
        expected.update_state(*first)
        expected.update_state(*second, sample_weight=as_np(weights))
        np.testing.assert_allclose(as_np(out), as_np(expected.result()), rtol=1e-5, atol=1e-6)


def test_mean_of_a_scalar_weighed_by_a_number_equals_the_tensor_weight_path():
    """The training loop's ``loss_tracker.update_state(loss, sample_weight=batch_size)``."""
    fast, general = metrics.Mean(), metrics.Mean()
    for value, n in ((0.7, 128), (1.25, 128), (3.5, 32), (2.0, 0.5)):
        fast.update_state(tf.constant(np.float32(value)), sample_weight=n)
        general.update_state(tf.constant(np.float32(value)),
                             sample_weight=tf.constant(np.float32(n)))
    assert fast.result().numpy() == general.result().numpy()
    assert fast.count.numpy() == general.count.numpy() == 288.5
    assert fast.total.numpy() == general.total.numpy()
    fast.reset_state()
    assert float(fast.result()) == 0.0
