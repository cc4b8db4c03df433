"""The NumPy boundary of the data pipeline: user arrays held in memory, and the indices into them.

This is the one module of ``gpukeras.data`` that imports NumPy (tests/test_layering.py lists it
as a boundary). It does three host-side things and no math on the data:

* ``ArraySource`` holds the arrays (or gpukeras Tensors) a dataset slices along axis 0 and turns
  a whole batch of row indices into Tensors with one gather per array (a basic slice copy when
  the rows are contiguous) -- the fast path behind ``from_tensor_slices(...).shuffle().batch()``
  and Keras's array adapter;
* index chunks: a pass over a source is a stream of chunks, each a Python ``range`` (contiguous
  rows) or an int64 NumPy array; helpers concatenate, permute and buffer-shuffle them;
* per-pass random generators derived from a dataset's base seed.
"""

import numpy as np

from .. import backends
from ..core import dtypes as _dtypes
from ..core.tensor import Tensor, _host_array, as_tensor, is_tensor

INDEX_DTYPE = np.int64
_BLOCK = 8192  # indices handled per vectorised step of the buffered shuffle


# -- user values in ---------------------------------------------------------------------------
def host_array(value, dtype=None):
    """``value`` (NumPy array, Python list or number) as a NumPy array with TensorFlow's dtypes.

    NumPy arrays keep their dtype and are not copied; Python floats become float32 and Python
    ints int32, as ``tf.constant`` does.
    """
    if type(value) is np.ndarray and dtype is None:
        return value
    return _host_array(value, None if dtype is None else _dtypes.as_dtype(dtype))


# -- index chunks -------------------------------------------------------------------------------
def as_index_array(chunk):
    """An int64 array of the indices in ``chunk`` (a range or an array)."""
    if isinstance(chunk, range):
        return np.arange(chunk.start, chunk.stop, chunk.step, dtype=INDEX_DTYPE)
    return np.asarray(chunk, dtype=INDEX_DTYPE)


def concat_chunks(chunks):
    """One chunk holding ``chunks`` in order: a range when they are contiguous, else an array."""
    chunks = [c for c in chunks if len(c)]
    if not chunks:
        return range(0)
    if all(isinstance(c, range) and c.step == 1 for c in chunks) and all(
            a.stop == b.start for a, b in zip(chunks, chunks[1:])):
        return range(chunks[0].start, chunks[-1].stop)
    if len(chunks) == 1:
        return chunks[0]
    return np.concatenate([as_index_array(c) for c in chunks])


def base_seed(generator):
    """A 62-bit base seed drawn from a NumPy-API generator (the op generator of a dataset)."""
    return int(generator.integers(0, 2 ** 62))


def mix_seeds(*seeds):
    """A 62-bit base seed determined by ``seeds`` (e.g. the global and the op seed)."""
    words = np.random.SeedSequence([int(s) & 0xFFFFFFFFFFFFFFFF for s in seeds])
    state = words.generate_state(2, np.uint32)
    return ((int(state[0]) << 32) | int(state[1])) >> 2


def pass_generator(seed, pass_index):
    """The generator of one pass over a shuffled dataset: a function of (base seed, pass)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(pass_index)]))


def permutation(generator, n):
    """A random permutation of ``range(n)`` as an int64 array."""
    return generator.permutation(n).astype(INDEX_DTYPE, copy=False)


def permute(chunk, generator):
    """The indices of ``chunk`` in a uniformly random order."""
    if isinstance(chunk, range) and chunk.step == 1:
        return permutation(generator, len(chunk)) + chunk.start
    arr = as_index_array(chunk)
    return arr[permutation(generator, len(arr))]


def slot_draws(generator, size, count):
    """``count`` buffer slots drawn uniformly from ``[0, size)`` (Python ints)."""
    return generator.integers(0, size, size=count).tolist()


def permutation_list(generator, n):
    """A random permutation of ``range(n)`` as Python ints."""
    return generator.permutation(n).tolist()


def replace_block(buffer, incoming, slots):
    """One vectorised stretch of the shuffle buffer: what comes out, and the buffer after.

    Sequentially, each incoming index ``incoming[t]`` evicts the element in slot ``slots[t]``
    (which is emitted) and takes its place. The element emitted at ``t`` is therefore the last
    one written to that slot before ``t`` -- or the slot's value in ``buffer`` if none was. This
    computes all of them at once (``buffer`` is updated in place).
    """
    incoming = as_index_array(incoming)
    slots = np.asarray(slots, dtype=INDEX_DTYPE)
    order = np.argsort(slots, kind="stable")          # grouped by slot, in time order
    grouped = slots[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = grouped[1:] != grouped[:-1]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = first[1:]
    previous = np.empty(len(order), dtype=INDEX_DTYPE)
    previous[1:] = incoming[order[:-1]]
    emitted = np.where(first, buffer[grouped], previous)
    out = np.empty(len(order), dtype=INDEX_DTYPE)
    out[order] = emitted
    buffer[grouped[last]] = incoming[order[last]]
    return out


def buffer_shuffle(chunks, buffer_size, generator):
    """tf.data's shuffle buffer over a stream of index chunks, yielding shuffled chunks.

    The first ``buffer_size`` indices fill the buffer; each further index replaces a uniformly
    chosen buffered one, which is emitted; when the input ends the rest of the buffer comes out
    in a random order. Output position ``k`` is thus drawn uniformly from the buffer exactly as
    in tf.data, computed ``_BLOCK`` indices at a time.
    """
    stream = iter(chunks)
    filled, have, rest = [], 0, None
    for chunk in stream:
        need = buffer_size - have
        if len(chunk) > need:
            filled.append(chunk[:need])
            rest = chunk[need:]
            have = buffer_size
            break
        filled.append(chunk)
        have += len(chunk)
        if have == buffer_size:
            break
    buffer = as_index_array(concat_chunks(filled)).copy()
    if have == buffer_size:
        pending = [rest] if rest is not None and len(rest) else []
        for chunk in _chain(pending, stream):
            for start in range(0, len(chunk), _BLOCK):
                piece = chunk[start:start + _BLOCK]
                draws = generator.integers(0, buffer_size, size=len(piece))
                yield replace_block(buffer, piece, draws)
    if len(buffer):
        yield buffer[permutation(generator, len(buffer))]


def _chain(first, stream):
    yield from first
    yield from stream


# -- arrays out -----------------------------------------------------------------------------------
class _HostLeaf:
    """A NumPy array sliced along axis 0 on the host, each batch copied to the current device."""

    def __init__(self, array, cast=None):
        self.array = array
        self.cast = cast

    @property
    def num_rows(self):
        return self.array.shape[0]

    @property
    def shape(self):
        return self.array.shape

    @property
    def dtype(self):
        if self.cast is not None:
            return self.cast
        kind = self.array.dtype.kind
        return _dtypes.string if kind in "USO" else _dtypes.from_numpy(self.array.dtype)

    def take(self, index):
        if isinstance(index, range) and index.step == 1:
            # On the CPU a batch is a view of the user's array: tensors are never written in
            # place, and a variable made from one copies it before its first in-place update.
            rows = self.array[index.start:index.stop]
            if self.cast is not None:
                rows = rows.astype(self.cast._np)
        else:
            if isinstance(index, range):
                index = as_index_array(index)
            rows = np.take(self.array, index, axis=0)
            if self.cast is not None:
                rows = rows.astype(self.cast._np)
        return as_tensor(rows)


class _TensorLeaf:
    """A gpukeras Tensor sliced along axis 0 by gpukeras ops, on the device it lives on."""

    def __init__(self, tensor, cast=None):
        self.tensor = tensor
        self.cast = cast

    @property
    def num_rows(self):
        return self.tensor.shape[0]

    @property
    def shape(self):
        return tuple(self.tensor.shape)

    @property
    def dtype(self):
        return self.cast or self.tensor.dtype

    def take(self, index):
        from ..ops.indexing import gather
        from ..ops.arithmetic import cast
        if isinstance(index, range) and index.step == 1:
            rows = self.tensor[index.start:index.stop]
        else:
            rows = gather(self.tensor, as_index_array(index))
        return rows if self.cast is None else cast(rows, self.cast)


class _RangeLeaf:
    """The virtual array ``start + step * i`` of ``Dataset.range`` (nothing is allocated)."""

    def __init__(self, start, step, num_rows, dtype):
        self.start, self.step = start, step
        self._rows = num_rows
        self._dtype = dtype

    @property
    def num_rows(self):
        return self._rows

    @property
    def shape(self):
        return (self._rows,)

    @property
    def dtype(self):
        return self._dtype

    def take(self, index):
        rows = self.start + self.step * as_index_array(index)
        return as_tensor(rows.astype(self._dtype._np))


def make_leaf(value, cast_floats_to=None):
    """The leaf that slices ``value``: a NumPy array, a gpukeras Tensor, or anything array-like.

    ``cast_floats_to`` (a dtype) casts every floating leaf of another float dtype batch by
    batch (Keras's adapters cast float64 inputs to floatx this way).
    """
    if is_tensor(value):
        tensor = as_tensor(value)
        leaf = _TensorLeaf(tensor)
    else:
        array = host_array(value)
        leaf = _HostLeaf(array)
    if leaf.shape == () or len(leaf.shape) == 0:
        raise ValueError("cannot slice a scalar along its first dimension: every component of a "
                         "dataset made by from_tensor_slices needs at least one dimension")
    if cast_floats_to is not None:
        target = _dtypes.as_dtype(cast_floats_to)
        if leaf.dtype.is_floating and leaf.dtype != target:
            leaf.cast = target
    return leaf


def host_nbytes(value):
    """Bytes ``value`` takes as a host array (0 for tensors: they are on a device already)."""
    if value is None or is_tensor(value):
        return 0
    return host_array(value).nbytes


def device_leaf(value, cast_floats_to=None):
    """Like ``make_leaf``, with host data copied whole to the current device first (floats
    already cast), so batches are sliced on the device: one upload per fit, not per batch."""
    if is_tensor(value):
        return make_leaf(value, cast_floats_to)
    array = host_array(value)
    if array.dtype.kind in "USO" or array.ndim == 0:
        return make_leaf(array, cast_floats_to)
    if cast_floats_to is not None and array.dtype.kind == "f":
        array = array.astype(_dtypes.as_dtype(cast_floats_to)._np, copy=False)
    return make_leaf(as_tensor(array))


def range_leaf(start, stop, step, dtype):
    """The leaf of ``Dataset.range(start, stop, step)``."""
    n = max(0, -(-(stop - start) // step)) if step > 0 else max(0, -(-(start - stop) // -step))
    return _RangeLeaf(start, step, n, _dtypes.as_dtype(dtype))


class ArraySource:
    """Leaves sliced together along axis 0: ``take(index)`` gives the leaves' rows as Tensors.

    ``leaves`` is a flat list (``None`` entries stay ``None``); callers pack the result into
    their own structure. Every leaf must have the same number of rows.
    """

    def __init__(self, leaves):
        self.leaves = list(leaves)
        rows = {leaf.num_rows for leaf in self.leaves if leaf is not None}
        if len(rows) > 1:
            raise ValueError("all components must have the same size in the first dimension, got "
                             f"{[leaf.shape for leaf in self.leaves if leaf is not None]}")
        self.num_rows = rows.pop() if rows else 0

    def take(self, index):
        """The rows ``index`` (a range or an int64 array) of every leaf, as Tensors."""
        return [None if leaf is None else leaf.take(index) for leaf in self.leaves]

    def truncated(self, num_rows):
        """This source with only its first ``num_rows`` rows."""
        out = ArraySource.__new__(ArraySource)
        out.leaves = self.leaves
        out.num_rows = min(self.num_rows, num_rows)
        return out

    def specs(self):
        """(row shape, dtype) of every leaf (None for None leaves)."""
        return [None if leaf is None else (tuple(leaf.shape[1:]), leaf.dtype)
                for leaf in self.leaves]


def rows_of(tensor):
    """The slices of ``tensor`` along axis 0, as Tensors (one op; strings split on the host)."""
    if tensor.dtype == _dtypes.string:
        # Indexing an object array gives bare bytes for scalars: keep them 0-d arrays.
        return [Tensor(row if isinstance(row, np.ndarray) else np.array(row, dtype=object))
                for row in tensor._data]
    from ..ops.shape_ops import unstack
    return unstack(tensor)


def to_numpy(value):
    """A host NumPy value of a Tensor (bytes for string scalars), for ``as_numpy_iterator``."""
    return value.numpy() if isinstance(value, Tensor) or is_tensor(value) else value


def cpu_backend():
    """The NumPy backend (shuffle indices are drawn on the host whatever the device)."""
    return backends.NUMPY
