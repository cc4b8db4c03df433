"""Data adapters: how ``fit``/``evaluate``/``predict`` read the user's data (Keras 3's adapters).

``get_data_adapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)``
picks the adapter for NumPy arrays or gpukeras Tensors (and lists/dicts of them), a
``gpukeras.data.Dataset``, a ``keras.utils.PyDataset`` or a Python generator. Every adapter's
``get_iterator()`` yields one pass of batches of Tensors packed as Keras packs them: ``x``
alone, ``(x,)`` when ``x`` is a list or tuple, ``(x, y)`` or ``(x, y, sample_weight)``
(``unpack_x_y_sample_weight`` reverses it). ``num_batches`` is None when unknown.

Arrays are batched with one gather per array per batch (``gpukeras.data.host_arrays``): host
rows are copied to the current device batch by batch, Tensors are gathered where they live,
and floats other than ``floatx`` are cast batch by batch, as Keras does.
"""

import itertools
import math
import types
import warnings

from .. import backend
from ..symbolic import flatten, pack_like
from ..utils.py_dataset import PyDataset
from ... import backends
from ...core.tensor import Tensor, as_tensor, is_tensor
from ...data import host_arrays
from ...data.dataset import Dataset
from ...data.threads import parallel_map
from ...ops.arithmetic import cast
from ...ops.compare import equal, greater_equal, less_equal, logical_and, where
from ...ops.creation import constant, ones_like
from ...ops.elementwise import clip_by_value, round as _round
from ...ops.indexing import gather
from ...ops.random import op_generator
from ...ops.reduction import argmax
from ...ops.shape_ops import squeeze

NUM_BATCHES_FOR_TENSOR_SPEC = 2


# -- Keras's packing of (x, y, sample_weight) ------------------------------------------------------
def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from data packed as ``x``, ``(x,)``, ``(x, y)`` or all three."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple ``fit`` uses: ``x`` (``(x,)`` for a list/tuple x), ``(x, y)`` or all three."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_nested(value):
    return isinstance(value, (list, tuple, dict))


def _map(fn, data):
    return pack_like(data, [fn(v) for v in flatten(data)])


def _to_tensor(value):
    if value is None or isinstance(value, Tensor):
        return value
    return as_tensor(value)


# -- checks --------------------------------------------------------------------------------------
def can_slice_array(x):
    """True for what the array adapter slices: None, NumPy/array-likes, gpukeras Tensors."""
    return x is None or is_tensor(x) or hasattr(x, "__array__")


def can_convert_arrays(arrays):
    """True when every leaf of ``arrays`` can be sliced by the array adapter."""
    return all(can_slice_array(v) for v in flatten(arrays))


def check_data_cardinality(data):
    """Raise Keras's "Data cardinality is ambiguous" when arrays differ in length."""
    num_samples = {int(v.shape[0]) for v in flatten(data) if v is not None}
    if len(num_samples) > 1:
        msg = ("Data cardinality is ambiguous. Make sure all arrays contain the same number of "
               "samples.")
        parts = data if isinstance(data, tuple) else (data,)
        for label, single in zip(["x", "y", "sample_weight"], parts):
            sizes = ", ".join(str(v.shape[0]) for v in flatten(single) if v is not None)
            msg += f"'{label}' sizes: {sizes}\n"
        raise ValueError(msg)


def _shape(value):
    return tuple(value.shape) if hasattr(value, "shape") else tuple(
        host_arrays.host_array(value).shape)


def class_weight_to_sample_weights(y, class_weight):
    """Per-sample weights ``class_weight[class of y]`` (1.0 for unlisted classes), in floatx.

    The class of a row is ``argmax(y)`` for one-hot ``y``, else ``round(y)``. Vectorised with
    gpukeras ops on ``y``'s device (the host for NumPy labels).
    """
    y = as_tensor(y) if not isinstance(y, Tensor) else y
    if y.ndim > 1:
        y = argmax(y, axis=-1) if y.shape[-1] != 1 else squeeze(y, axis=-1)
    if y.dtype.is_floating:
        y = _round(y)
    classes = cast(y, "int32")
    floatx = backend.floatx()
    keys = sorted(int(k) for k in class_weight)
    with backends.device(classes.device_spec):
        weights = ones_like(classes, dtype=floatx)
        known = [k for k in keys if k >= 0]
        if known:
            top = known[-1]
            table = constant([float(class_weight.get(c, 1.0)) for c in range(top + 1)],
                             dtype=floatx)
            inside = logical_and(greater_equal(classes, 0), less_equal(classes, top))
            weights = where(inside, gather(table, clip_by_value(classes, 0, top)), weights)
        for k in keys:
            if k < 0:
                weights = where(equal(classes, k),
                                constant(float(class_weight[k]), dtype=floatx), weights)
    return weights


# -- adapters --------------------------------------------------------------------------------------
class DataAdapter:
    """The interface the training loop reads batches through."""

    def get_iterator(self):
        """An iterator over one pass of batches (packed ``x`` / ``(x, y[, sample_weight])``)."""
        raise NotImplementedError

    @property
    def num_batches(self):
        """The number of batches in a pass, or None when unknown."""
        raise NotImplementedError

    @property
    def batch_size(self):
        return None

    @property
    def has_partial_batch(self):
        return None

    @property
    def partial_batch_size(self):
        return None

    def on_epoch_begin(self):
        pass

    def on_epoch_end(self):
        pass


#: Host arrays up to this size (all of x, y and sample weights together) are copied to the GPU
#: once when training there, instead of one batch at a time.
DEVICE_DATA_LIMIT = 1 << 30


class ArrayDataAdapter(DataAdapter):
    """NumPy arrays, array-likes and gpukeras Tensors (and lists/tuples/dicts of them)."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        if not can_convert_arrays((x, y, sample_weight)):
            raise ValueError("Expected all elements of `x` to be array-like. Received invalid "
                             f"types: x={x}")
        if sample_weight is not None:
            if class_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same "
                                 "time.")
            if _is_nested(y):
                sample_weight = _sample_weight_per_output(y, sample_weight)
        if class_weight is not None:
            if _is_nested(y):
                raise ValueError("`class_weight` is only supported for Models with a single "
                                 "output.")
            sample_weight = _class_weights_like(y, class_weight)
        inputs = pack_x_y_sample_weight(x, y, sample_weight)
        check_data_cardinality(inputs)
        leaves = flatten(inputs)
        floatx = backend.floatx()
        make_leaf = host_arrays.make_leaf
        if (backends.current_device().kind == "gpu" and sum(
                host_arrays.host_nbytes(v) for v in leaves) <= DEVICE_DATA_LIMIT):
            make_leaf = host_arrays.device_leaf   # batches are then sliced on the GPU
        self._source = host_arrays.ArraySource(
            [None if v is None else make_leaf(v, cast_floats_to=floatx) for v in leaves])
        self._inputs = inputs
        num_samples = self._source.num_rows
        if not batch_size:
            batch_size = int(math.ceil(num_samples / steps)) if steps else 32
        self._num_samples = num_samples
        self._batch_size = int(batch_size)
        self._size = int(math.ceil(num_samples / self._batch_size))
        self._partial_batch_size = num_samples % self._batch_size
        self._shuffle = shuffle

    def get_iterator(self):
        generator = op_generator(host_arrays.cpu_backend(), None, "ArrayDataAdapter")
        permutation = None
        if self._shuffle and self._shuffle != "batch":
            permutation = host_arrays.permutation(generator, self._num_samples)
        for i in range(self._size):
            start = i * self._batch_size
            stop = min(start + self._batch_size, self._num_samples)
            if self._shuffle == "batch":
                index = host_arrays.permutation(generator, stop - start) + start
            elif self._shuffle:
                index = permutation[start:stop]
            else:
                index = range(start, stop)
            yield pack_like(self._inputs, self._source.take(index))

    @property
    def num_batches(self):
        return self._size

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def has_partial_batch(self):
        return self._partial_batch_size > 0

    @property
    def partial_batch_size(self):
        return self._partial_batch_size or None


def _class_weights_like(y, class_weight):
    """Class weights for all of ``y``: host labels give host weights (copied per batch)."""
    if is_tensor(y):
        return class_weight_to_sample_weights(y, class_weight)
    with backends.device("cpu"):
        return class_weight_to_sample_weights(host_arrays.host_array(y), class_weight).numpy()


def _sample_weight_per_output(y, sample_weight):
    if isinstance(sample_weight, (list, tuple, dict)):
        if not _same_nesting(y, sample_weight):
            raise ValueError("You should provide one `sample_weight` array per output in `y`. "
                             f"The two structures did not match:\n- y: {y}\n- sample_weight: "
                             f"{sample_weight}\n")
        return sample_weight
    shape = _shape(sample_weight)
    if not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)):
        raise ValueError("For a model with multiple outputs, when providing a single "
                         "`sample_weight` array, it should only have one scalar score per sample "
                         "(i.e. shape `(num_samples,)`). If you want to use non-scalar sample "
                         "weights, pass a `sample_weight` argument with one array per model "
                         "output.")
    return _map(lambda _: sample_weight, y)


def _same_nesting(a, b):
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) and all(
            _same_nesting(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                and len(a) == len(b) and all(_same_nesting(p, q) for p, q in zip(a, b)))
    return True


class DatasetAdapter(DataAdapter):
    """A ``gpukeras.data.Dataset`` of batches (``tf.data`` in real Keras)."""

    def __init__(self, dataset, class_weight=None):
        if not isinstance(dataset, Dataset):
            raise ValueError(f"Expected argument `dataset` to be a tf.data.Dataset. Received: "
                             f"{dataset}")
        if class_weight is not None:
            dataset = dataset.map(make_class_weight_map_fn(class_weight))
        self._dataset = dataset

    def get_iterator(self):
        return iter(self._dataset)

    @property
    def num_batches(self):
        n = int(self._dataset.cardinality())
        return None if n < 0 else n

    @property
    def batch_size(self):
        try:
            first = flatten(self._dataset.element_spec)[0]
        except (StopIteration, IndexError, TypeError):
            return None
        if first is None or first.shape is None or not len(first.shape):
            return None
        return first.shape[0]


TFDatasetAdapter = DatasetAdapter


def make_class_weight_map_fn(class_weight):
    """A ``Dataset.map`` function adding class weights as sample weights to ``(x, y)`` batches."""
    def class_weights_map_fn(*data):
        x, y, sw = unpack_x_y_sample_weight(data)
        if sw is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        if _is_nested(y):
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        return x, y, class_weight_to_sample_weights(y, class_weight)
    return class_weights_map_fn


def _standardize_batch(batch, class_weight, where_from):
    """A batch from Python code as a tuple (or dict) of Tensors, class weights added."""
    if isinstance(batch, dict):
        return _map(_to_tensor, batch)
    if isinstance(batch, list):
        batch = tuple(batch)
    elif not isinstance(batch, tuple) and can_slice_array(batch):
        batch = (batch,)
    if not isinstance(batch, tuple) or len(batch) not in (1, 2, 3):
        raise ValueError(f"{where_from} must return a tuple or a dict. If a tuple, it must be "
                         "ordered either (input,) or (inputs, targets) or "
                         "(inputs, targets, sample_weights). "
                         f"Received: {str(batch)[:100]}... of type {type(batch)}")
    if class_weight is not None:
        if len(batch) == 3:
            raise ValueError("You cannot specify `class_weight` and `sample_weight` at the same "
                             "time.")
        if len(batch) == 2:
            batch = batch + (class_weight_to_sample_weights(batch[1], class_weight),)
    return _map(_to_tensor, batch)


class PyDatasetAdapter(DataAdapter):
    """A ``keras.utils.PyDataset`` (``Sequence``): batch ``i`` is ``x[i]``."""

    def __init__(self, x, class_weight=None, shuffle=False):
        self.py_dataset = x
        self.class_weight = class_weight
        self.shuffle = shuffle
        self._workers = x.workers
        if x.use_multiprocessing:
            warnings.warn("gpukeras runs PyDataset workers as threads: `use_multiprocessing=True` "
                          "is treated as `False`.", stacklevel=3)

    def _batch(self, index):
        return _standardize_batch(self.py_dataset[index], self.class_weight,
                                  "PyDataset.__getitem__()")

    def get_iterator(self):
        n = self.py_dataset.num_batches
        if n is None:
            indices = itertools.count()
        else:
            indices = range(n)
            if self.shuffle:
                generator = op_generator(host_arrays.cpu_backend(), None, "PyDatasetAdapter")
                indices = host_arrays.permutation_list(generator, n)
        if self._workers and self._workers > 1:
            return parallel_map(self._batch, iter(indices), self._workers)
        return map(self._batch, indices)

    def on_epoch_begin(self):
        self.py_dataset.on_epoch_begin()

    def on_epoch_end(self):
        self.py_dataset.on_epoch_end()

    @property
    def num_batches(self):
        return self.py_dataset.num_batches


class GeneratorDataAdapter(DataAdapter):
    """A Python generator of batches (one pass; later passes continue where it stopped)."""

    def __init__(self, generator):
        first = list(itertools.islice(generator, NUM_BATCHES_FOR_TENSOR_SPEC))
        if not first:
            raise ValueError("When passing a Python generator to a Keras model, the generator "
                             "must yield at least one batch. Received an empty generator.")
        if not isinstance(first[0], tuple):
            raise ValueError("When passing a Python generator to a Keras model, the generator "
                             "must return a tuple, either (input,) or (inputs, targets) or "
                             f"(inputs, targets, sample_weights). Received: {first[0]}")
        self._first = first
        self.generator = generator

    def get_iterator(self):
        first, self._first = self._first, []
        for batch in itertools.chain(first, self.generator):
            yield _standardize_batch(batch, None, "The generator")

    @property
    def num_batches(self):
        return None


# -- choosing an adapter ---------------------------------------------------------------------------
def raise_unsupported_arg(arg_name, arg_description, input_type):
    raise ValueError(f"When providing `x` as a {input_type}, `{arg_name}` should not be passed. "
                     f"Instead, {arg_description} should be included as part of the "
                     f"{input_type}.")


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                     shuffle=False, class_weight=None):
    """The adapter for ``x`` (and ``y``, ``sample_weight``) as ``fit`` would read it."""
    if isinstance(x, DataAdapter):
        return x
    if not isinstance(x, Dataset) and can_convert_arrays((x, y, sample_weight)):
        return ArrayDataAdapter(x, y, sample_weight=sample_weight, class_weight=class_weight,
                                shuffle=shuffle, batch_size=batch_size, steps=steps_per_epoch)
    if isinstance(x, Dataset):
        if y is not None:
            raise_unsupported_arg("y", "the targets", "tf.data.Dataset")
        if sample_weight is not None:
            raise_unsupported_arg("sample_weights", "the sample weights", "tf.data.Dataset")
        if batch_size is not None:
            raise ValueError("The `batch_size` argument must not be specified for the given "
                             f"input type. Received input: {x}, batch_size: {batch_size}")
        if shuffle:
            warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` was "
                          "provided as a tf.data.Dataset. The Dataset is expected to already be "
                          "shuffled (via `.shuffle(buffer_size)`).", stacklevel=2)
        return DatasetAdapter(x, class_weight=class_weight)
    if isinstance(x, PyDataset):
        if y is not None:
            raise_unsupported_arg("y", "the targets", "PyDataset")
        if sample_weight is not None:
            raise_unsupported_arg("sample_weights", "the sample weights", "PyDataset")
        if getattr(x, "num_batches", None) is None and shuffle:
            warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` was "
                          "provided as an infinite PyDataset. The PyDataset is expected to "
                          "already be shuffled.", stacklevel=2)
        return PyDatasetAdapter(x, class_weight=class_weight, shuffle=shuffle)
    if isinstance(x, types.GeneratorType):
        if y is not None:
            raise_unsupported_arg("y", "the targets", "generator")
        if sample_weight is not None:
            raise_unsupported_arg("sample_weights", "the sample weights", "generator")
        if class_weight is not None:
            raise ValueError("Argument `class_weight` is not supported for Python generator "
                             f"inputs. Received: class_weight={class_weight}")
        if shuffle:
            warnings.warn("`shuffle=True` was passed, but will be ignored since the data `x` was "
                          "provided as a generator. The generator is expected to yield "
                          "already-shuffled data.", stacklevel=2)
        return GeneratorDataAdapter(x)
    raise ValueError(f"Unrecognized data type: x={x} (of type {type(x)})")


def train_validation_split(arrays, validation_split):
    """Split arrays into train and validation parts: the LAST ``validation_split`` is validation.

    No shuffling (as Keras); NumPy arrays are split into views, Tensors by slicing.
    """
    flat = flatten(arrays)
    unsplitable = [type(t) for t in flat if not can_slice_array(t)]
    if unsplitable:
        raise ValueError("Argument `validation_split` is only supported for tensors or NumPy "
                         f"arrays.Found incompatible type in the input: {unsplitable}")
    if all(t is None for t in flat):
        return arrays, arrays
    first = next(t for t in flat if t is not None)
    batch_dim = int(_shape(first)[0])
    split_at = int(math.floor(batch_dim * (1.0 - validation_split)))
    if split_at == 0 or split_at == batch_dim:
        raise ValueError(f"Training data contains {batch_dim} samples, which is not sufficient to "
                         "split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, or a "
                         "different value for the `validation_split` argument.")

    def part(start, end):
        def cut(t):
            if t is None:
                return None
            if not is_tensor(t) and not hasattr(t, "shape"):
                t = host_arrays.host_array(t)
            return t[start:end]
        return _map(cut, arrays)

    return part(0, split_at), part(split_at, batch_dim)


__all__ = ["ArrayDataAdapter", "DataAdapter", "DatasetAdapter", "GeneratorDataAdapter",
           "PyDatasetAdapter", "class_weight_to_sample_weights", "get_data_adapter",
           "pack_x_y_sample_weight", "train_validation_split", "unpack_x_y_sample_weight"]
