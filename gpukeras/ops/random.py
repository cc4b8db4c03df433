"""Random tensors: normal, uniform, truncated_normal, categorical, shuffle, and the seeds.

Random numbers come from the generator of the backend that owns the device (NumPy's or CuPy's
``Generator``); only ``random()``, ``standard_normal()`` and ``integers()`` are used, the methods
both libraries offer. float16 values are drawn in float32 and cast.

Seeds follow TensorFlow 2 (eager):

* ``set_seed(s)`` reseeds every backend's global generator, so ops without an op seed give the
  same sequence after every ``set_seed(s)``, run after run (per backend: NumPy and CuPy draw
  different numbers for the same seed). ``set_seed(None)`` goes back to fresh entropy.
* An op seed (``seed=7``) makes an op draw from its own stream, determined by the pair
  (global seed, op seed) and by how many times that pair was used since the last ``set_seed``:
  ``set_seed(5); uniform([1], seed=10); uniform([1], seed=10)`` gives two different values, the
  same two after every ``set_seed(5)``. Without a global seed, TensorFlow's default graph seed
  (87654321) stands in, so op-seeded calls repeat run after run as well.
* ``stateless_*`` ops (``tf.random.stateless_normal(shape, seed=[a, b])``) depend on their seed
  only: the same seed gives the same tensor on every call.

Random draws are not differentiable; ``normal``/``uniform``/``truncated_normal`` combine the draw
with tensor ``mean``/``stddev``/``minval``/``maxval`` through ordinary ops, so gradients flow to
those arguments as in TensorFlow.
"""

import zlib

import numpy as np

from .. import backends
from ..core import dtypes as _dtypes
from ..core.tensor import Tensor, wrap
from ..errors import InvalidArgumentError
from .arithmetic import add, multiply, subtract
from .operands import numeric, static_ints, tensor

__all__ = ["normal", "uniform", "truncated_normal", "categorical", "shuffle", "set_seed",
           "get_global_seed", "stateless_normal", "stateless_uniform",
           "stateless_truncated_normal", "stateless_categorical"]

DEFAULT_GRAPH_SEED = 87654321
_FLOATS = ("float16", "float32", "float64")
_UNIFORM_INTS = ("int32", "int64", "uint32", "uint64")
_MAX_TRUNCATION_ROUNDS = 100

_global_seed = None
_op_counts = {}          # (op, global seed, op seed) -> calls since the last set_seed
_seeded_backends = set()  # names of backends reseeded since the last set_seed


# -- seeds --------------------------------------------------------------------------------------
def set_seed(seed):
    """Set the global random seed: the same seed gives the same random sequence every run."""
    global _global_seed
    if seed is not None:
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise TypeError(f"set_seed: seed must be an integer or None, got {seed!r}") from None
    _global_seed = seed
    _op_counts.clear()
    _seeded_backends.clear()
    _seeded_backends.update(backends.seed_all(seed))


def get_global_seed():
    """The seed last given to ``set_seed`` (None when unset)."""
    return _global_seed


def _seed_words(*values):
    """A 63-bit integer seed mixing ``values`` (any Python ints) through NumPy's SeedSequence."""
    words = [int(v) & 0xFFFFFFFFFFFFFFFF for v in values]
    state = np.random.SeedSequence(words).generate_state(2, np.uint32)
    return (int(state[0]) << 31) ^ int(state[1])


def op_generator(backend, seed, op):
    """The generator an op draws from: the backend's global one, or an op-seeded stream.

    Other random ops (dropout, initializers) use it too, so every op follows one seed rule.
    A step recorded as a CUDA graph would replay the same numbers, so drawing is refused there.
    """
    if backends.capturing():
        raise backends.CaptureError(f"{op} draws random numbers, which a CUDA graph would repeat")
    if seed is None:
        if _global_seed is not None and backend.name not in _seeded_backends:
            backend.seed(_global_seed)  # a backend started after set_seed joins the sequence
            _seeded_backends.add(backend.name)
        return backend.generator()
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: seed must be an integer or None, got {seed!r}") from None
    glob = DEFAULT_GRAPH_SEED if _global_seed is None else _global_seed
    key = (op, glob, seed)
    count = _op_counts.get(key, 0)
    _op_counts[key] = count + 1
    return backend.xp.random.default_rng(_seed_words(glob, seed, zlib.crc32(op.encode()), count))


def _stateless_generator(backend, seed, op):
    """A generator determined by a stateless op's ``seed`` (two integers) alone."""
    if type(seed) is Tensor or hasattr(seed, "_gpukeras_tensor"):
        seed = tensor(seed).numpy()
    words = np.asarray(seed).reshape(-1)
    if words.size != 2 or words.dtype.kind not in "iu":
        raise InvalidArgumentError(f"{op}: seed must be a shape [2] integer tensor, got {seed!r}",
                                   op)
    return backend.xp.random.default_rng(_seed_words(0x5EED, *words.tolist()))


# -- argument checks ----------------------------------------------------------------------------
def _shape(shape, op):
    if isinstance(shape, (list, tuple)) and not shape:
        return ()
    dims = static_ints(shape, op, "shape")
    if any(d < 0 for d in dims):
        raise InvalidArgumentError(f"{op}: shape must not have negative dimensions, got "
                                   f"{list(dims)}", op)
    return dims


def _float_dtype(dtype, op):
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name not in _FLOATS:
        raise InvalidArgumentError(
            f"{op}: dtype {dtype.name} is not allowed; expected one of {', '.join(_FLOATS)}", op)
    return dtype


def _is_number(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


# -- drawing ------------------------------------------------------------------------------------
def _draw_normal(gen, shape, dtype):
    """Standard normal samples of ``dtype`` (float16 drawn in float32)."""
    if dtype.name == "float16":
        return gen.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return gen.standard_normal(shape, dtype=dtype._np)


def _draw_uniform(gen, shape, dtype):
    """Samples in [0, 1) of ``dtype`` (float16 drawn in float32)."""
    if dtype.name == "float16":
        return gen.random(shape, dtype=np.float32).astype(np.float16)
    return gen.random(shape, dtype=dtype._np)


def _draw_truncated(gen, shape, dtype):
    """Standard normal samples with those beyond 2 stddev redrawn (only the rejected ones).

    Each round redraws just the rejected samples (about 4.6% of the previous round), so a
    million samples need about six rounds. Counting the rejects syncs with the GPU once a round.
    """
    draw = np.float32 if dtype.name == "float16" else dtype._np
    z = gen.standard_normal(shape, dtype=draw)
    flat = z.reshape(-1)
    for _ in range(_MAX_TRUNCATION_ROUNDS):
        bad = (flat > 2) | (flat < -2)
        idx = bad.nonzero()[0]
        if idx.shape[0] == 0:
            break
        flat[idx] = gen.standard_normal((int(idx.shape[0]),), dtype=draw)
    return z.astype(dtype._np, copy=False)


def _affine(rnd, dtype, scale, shift):
    """``rnd * scale + shift`` in ``dtype``: plain arithmetic for numbers, ops for tensors."""
    if _is_number(scale) and _is_number(shift):
        scale, shift = float(scale), float(shift)
        if scale != 1.0:
            rnd = rnd * rnd.dtype.type(scale)
        if shift != 0.0:
            rnd = rnd + rnd.dtype.type(shift)
        return wrap(rnd)
    out = Tensor(rnd)
    scale = tensor(scale, dtype)
    shift = tensor(shift, dtype)
    return add(multiply(out, scale), shift)


# -- the ops ------------------------------------------------------------------------------------
def normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Samples from a normal distribution, ``standard_normal * stddev + mean``."""
    dtype = _float_dtype(dtype, "random.normal")
    backend = backends.get_backend()
    rnd = _draw_normal(op_generator(backend, seed, "random.normal"),
                       _shape(shape, "random.normal"), dtype)
    return _affine(rnd, dtype, stddev, mean)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=_dtypes.float32, seed=None, name=None):
    """Normal samples, with values more than 2 stddev from the mean redrawn."""
    dtype = _float_dtype(dtype, "random.truncated_normal")
    backend = backends.get_backend()
    rnd = _draw_truncated(op_generator(backend, seed, "random.truncated_normal"),
                          _shape(shape, "random.truncated_normal"), dtype)
    return _affine(rnd, dtype, stddev, mean)


def uniform(shape, minval=0, maxval=None, dtype=_dtypes.float32, seed=None, name=None):
    """Samples uniform in ``[minval, maxval)``: floats default to [0, 1), integers need maxval."""
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name not in _FLOATS + _UNIFORM_INTS:
        raise ValueError(f"Invalid dtype {dtype!r} for random.uniform; expected one of "
                         f"{', '.join(_FLOATS + _UNIFORM_INTS)}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    backend = backends.get_backend()
    shape = _shape(shape, "random.uniform")
    gen = op_generator(backend, seed, "random.uniform")
    if dtype.is_integer:
        return _uniform_int(gen, shape, minval, maxval, dtype, "random.uniform")
    rnd = _draw_uniform(gen, shape, dtype)
    if _is_number(minval) and _is_number(maxval):
        return _affine(rnd, dtype, float(maxval) - float(minval), minval)
    lo, hi = tensor(minval, dtype), tensor(maxval, dtype)
    return add(multiply(Tensor(rnd), subtract(hi, lo)), lo)


def _int_bound(value, dtype, op, what):
    if type(value) is Tensor or hasattr(value, "_gpukeras_tensor"):
        t = tensor(value)
        if t._data.ndim != 0:
            raise InvalidArgumentError(f"{op}: {what} must be a scalar for integer dtypes, got "
                                       f"shape {tuple(t._data.shape)}", op)
        if t.dtype != dtype:
            raise ValueError(f"{op}: {what} has dtype {t.dtype.name}, expected {dtype.name}")
        value = t.numpy()
    arr = np.asarray(value)
    if arr.ndim == 0 and arr.dtype.kind == "f" and float(arr).is_integer():
        arr = arr.astype(np.int64)  # 10.0 is accepted for an integer bound, as in TensorFlow
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise InvalidArgumentError(f"{op}: {what} must be an integer scalar for dtype "
                                   f"{dtype.name}, got {value!r}", op)
    v = int(arr)
    info = np.iinfo(dtype._np)
    if not info.min <= v <= info.max:
        raise InvalidArgumentError(f"{op}: {what}={v} does not fit in {dtype.name}", op)
    return v


def _uniform_int(gen, shape, minval, maxval, dtype, op):
    lo = _int_bound(minval, dtype, op, "minval")
    hi = _int_bound(maxval, dtype, op, "maxval")
    if lo >= hi:
        raise InvalidArgumentError(f"{op}: Need minval < maxval: got {lo} >= {hi}", op)
    return wrap(gen.integers(lo, hi, size=shape, dtype=dtype._np))


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draw class indices from the softmax of each row of ``logits`` (shape [batch, classes]).

    Inverse-CDF sampling, vectorised over all rows at once: one searchsorted of the uniform
    draws (shifted by their row number) in the concatenated row CDFs.
    """
    return _categorical(logits, num_samples, dtype, seed, "random.categorical", stateless=False)


def _categorical(logits, num_samples, dtype, seed, op, stateless):
    logits = numeric(tensor(logits), op, "f")
    dtype = _dtypes.int64 if dtype is None else _dtypes.as_dtype(dtype)
    if dtype.name not in ("int32", "int64"):
        raise ValueError(f"{op}: dtype must be int32 or int64, got {dtype.name}")
    if logits._data.ndim != 2:
        raise InvalidArgumentError(f"{op}: logits should be a matrix [batch_size, num_classes], "
                                   f"got shape {tuple(logits._data.shape)}", op)
    num_samples = int(num_samples)
    if num_samples < 0:
        raise InvalidArgumentError(f"{op}: num_samples must be >= 0, got {num_samples}", op)
    batch, classes = logits._data.shape
    backend = backends.backend_of(logits._data)
    xp = backend.xp
    with backend.scope(backend.device_index(logits._data)):
        if batch == 0 or num_samples == 0:
            return Tensor(xp.zeros((batch, num_samples), dtype=dtype._np))
        if classes == 0:
            raise InvalidArgumentError(f"{op}: logits must have at least one class", op)
        gen = (_stateless_generator if stateless else op_generator)(backend, seed, op)
        u = gen.random((batch, num_samples), dtype=np.float64)
        lg = logits._data.astype(np.float64)
        top = lg.max(axis=1, keepdims=True)
        p = xp.exp(lg - xp.where(xp.isfinite(top), top, 0.0))
        p = xp.where(xp.isnan(p), 0.0, p)          # NaN logits never get drawn
        cdf = xp.cumsum(p, axis=1)
        total = cdf[:, -1:]
        cdf /= xp.where(total > 0, total, 1.0)
        rows = xp.arange(batch, dtype=np.float64)[:, None]
        flat = xp.searchsorted((cdf + rows).reshape(-1), (u + rows).reshape(-1), side="right")
        idx = flat.reshape(batch, num_samples) - xp.arange(batch)[:, None] * classes
        # Rounding may push a draw past the last class of positive probability: clamp to it.
        last = classes - 1 - xp.argmax((p > 0)[:, ::-1], axis=1)
        idx = xp.minimum(xp.maximum(idx, 0), last[:, None])
        return Tensor(idx.astype(dtype._np))


def shuffle(value, seed=None, name=None):
    """A random permutation of ``value`` along its first dimension."""
    t = tensor(value)
    if t._data.ndim == 0:
        raise InvalidArgumentError("random.shuffle: value must be at least 1-D, got a scalar",
                                   "random.shuffle")
    backend = backends.backend_of(t._data)
    with backend.scope(backend.device_index(t._data)):
        gen = op_generator(backend, seed, "random.shuffle")
        n = t._data.shape[0]
        perm = backend.xp.argsort(gen.random((n,), dtype=np.float64))
        return Tensor(t._data[perm])


# -- stateless variants -------------------------------------------------------------------------
def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dtypes.float32, name=None,
                     alg="auto_select"):
    """Normal samples determined by ``seed`` (two integers) alone."""
    dtype = _float_dtype(dtype, "random.stateless_normal")
    backend = backends.get_backend()
    gen = _stateless_generator(backend, seed, "random.stateless_normal")
    rnd = _draw_normal(gen, _shape(shape, "random.stateless_normal"), dtype)
    return _affine(rnd, dtype, stddev, mean)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=_dtypes.float32,
                               name=None, alg="auto_select"):
    """Truncated normal samples determined by ``seed`` (two integers) alone."""
    dtype = _float_dtype(dtype, "random.stateless_truncated_normal")
    backend = backends.get_backend()
    gen = _stateless_generator(backend, seed, "random.stateless_truncated_normal")
    rnd = _draw_truncated(gen, _shape(shape, "random.stateless_truncated_normal"), dtype)
    return _affine(rnd, dtype, stddev, mean)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=_dtypes.float32, name=None,
                      alg="auto_select"):
    """Uniform samples in ``[minval, maxval)`` determined by ``seed`` (two integers) alone."""
    op = "random.stateless_uniform"
    dtype = _dtypes.as_dtype(dtype)
    if dtype.name not in _FLOATS + _UNIFORM_INTS:
        raise ValueError(f"Invalid dtype {dtype!r} for {op}")
    if maxval is None:
        if dtype.is_integer:
            raise ValueError(f"Must specify maxval for integer dtype {dtype!r}")
        maxval = 1
    backend = backends.get_backend()
    shape = _shape(shape, op)
    gen = _stateless_generator(backend, seed, op)
    if dtype.is_integer:
        return _uniform_int(gen, shape, minval, maxval, dtype, op)
    rnd = _draw_uniform(gen, shape, dtype)
    if _is_number(minval) and _is_number(maxval):
        return _affine(rnd, dtype, float(maxval) - float(minval), minval)
    lo, hi = tensor(minval, dtype), tensor(maxval, dtype)
    return add(multiply(Tensor(rnd), subtract(hi, lo)), lo)


def stateless_categorical(logits, num_samples, seed, dtype=None, name=None):
    """Class indices drawn from softmax(logits), determined by ``seed`` (two integers) alone."""
    return _categorical(logits, num_samples, dtype, seed, "random.stateless_categorical",
                        stateless=True)
