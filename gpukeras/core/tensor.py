"""Tensor, TensorShape and the conversion of Python and NumPy values to tensors.

A Tensor holds one array of the backend that owns its device (a NumPy array on the CPU, a CuPy
array on a GPU) and an integer id that the gradient tape uses to follow it. Tensors are
immutable; Variables (``variable.py``) hold a Tensor that ``assign`` replaces. The Python
operators are installed by ``gpukeras.ops.operators``.
"""

import itertools

import numpy as np

from .. import backends
from . import dtypes as _dtypes

_next_id = itertools.count(1).__next__


class TensorShape(tuple):
    """A tuple of dimensions (``None`` where unknown) that also compares equal to lists."""

    __slots__ = ()

    def __new__(cls, dims=()):
        if dims is None:
            raise ValueError("TensorShape of unknown rank is not supported")
        return super().__new__(cls, (None if d is None else int(d) for d in dims))

    @property
    def rank(self):
        return len(self)

    @property
    def ndims(self):
        return len(self)

    @property
    def dims(self):
        return list(self)

    def as_list(self):
        return list(self)

    def num_elements(self):
        if any(d is None for d in self):
            return None
        n = 1
        for d in self:
            n *= d
        return n

    def is_fully_defined(self):
        return all(d is not None for d in self)

    def is_compatible_with(self, other):
        other = TensorShape(other)
        return len(self) == len(other) and all(
            a is None or b is None or a == b for a, b in zip(self, other))

    def concatenate(self, other):
        return TensorShape(tuple(self) + tuple(TensorShape(other)))

    def __getitem__(self, key):
        item = super().__getitem__(key)
        return TensorShape(item) if isinstance(key, slice) else item

    def __eq__(self, other):
        if isinstance(other, (list, TensorShape)):
            other = tuple(other)
        return tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = tuple.__hash__

    def __add__(self, other):
        return self.concatenate(other)

    def __repr__(self):
        return f"TensorShape({list(self)})"

    def __str__(self):
        if len(self) == 1:
            return f"({self[0]},)"
        return "(" + ", ".join(str(d) for d in self) + ")"


_tuple_new = tuple.__new__


class Tensor:
    """An immutable n-dimensional array on one device, tracked by gradient tapes."""

    # _keras_mask is set only by Keras layers that produce masks (unset costs nothing).
    __slots__ = ("_data", "_id", "_keras_mask", "__weakref__")
    # NumPy must defer to our operators (``np_array + tensor`` -> Tensor.__radd__).
    __array_priority__ = 100

    def __init__(self, data):
        self._data = data
        self._id = _next_id()

    # -- what the tensor is ------------------------------------------------------------------
    @property
    def shape(self):
        """The static shape: the array's own tuple of ints, so no per-dimension conversion."""
        return _tuple_new(TensorShape, self._data.shape)

    @property
    def dtype(self):
        return _dtypes.from_numpy(self._data.dtype)

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def backend(self):
        return backends.backend_of(self._data)

    @property
    def device(self):
        """The TensorFlow-style name of the device holding this tensor."""
        return self.device_spec.tf_name

    @property
    def device_spec(self):
        backend = backends.backend_of(self._data)
        return backends.DeviceSpec(backend.device_type, backend.device_index(self._data))

    def numpy(self):
        """A host NumPy copy (a NumPy scalar for 0-d tensors, bytes for string scalars)."""
        host = np.array(backends.backend_of(self._data).to_host(self._data), copy=True)
        return host[()] if host.ndim == 0 else host

    def get_shape(self):
        return self.shape

    def ref(self):
        """A hashable reference to this tensor (tensors themselves compare elementwise)."""
        return _Ref(self)

    # -- Python protocols -----------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        host = backends.backend_of(self._data).to_host(self._data)
        return host if dtype is None else host.astype(dtype, copy=False)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar) is undefined")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iterating over a 0-d tensor (a scalar) is not possible")
        for i in range(self._data.shape[0]):
            yield self[i]

    def _scalar(self, what):
        if self._data.size != 1:
            raise ValueError(f"{what}() needs a tensor with one element, got shape "
                             f"{tuple(self._data.shape)}")
        return backends.backend_of(self._data).to_host(self._data).reshape(())[()]

    def __bool__(self):
        if self._data.ndim == 0 or self._data.size == 1:
            return bool(self._scalar("bool"))
        raise ValueError(f"the truth value of a tensor with shape {tuple(self._data.shape)} is "
                         "ambiguous; use gpukeras.reduce_any or gpukeras.reduce_all")

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __index__(self):
        if not self.dtype.is_integer:
            raise TypeError(f"only integer tensors can be used as an index, got {self.dtype.name}")
        return int(self._scalar("index"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    __hash__ = None  # like TensorFlow 2: == is elementwise, use .ref() as a dict key

    def __repr__(self):
        host = self.numpy()
        # Scalars show their bare value (numpy=6.0), arrays NumPy's repr, as TensorFlow does.
        text = repr(host) if isinstance(host, (np.ndarray, bytes)) else str(host)
        if "\n" in text:
            text = "\n" + text
        return (f"<tf.Tensor: shape={_shape_text(self._data.shape)}, dtype={self.dtype.name}, "
                f"numpy={text}>")

    def __str__(self):
        text = _array_text(self)
        if "\n" in text:
            text = "\n" + text
        return f"tf.Tensor({text}, shape={_shape_text(self._data.shape)}, dtype={self.dtype.name})"

    def __format__(self, spec):
        """Format the value like a NumPy scalar/array: ``f"{loss:0.2f}"`` works."""
        return format(self.numpy(), spec)

    def __reduce__(self):
        return constant_from_host, (self.numpy(), self.dtype.name)

    def __deepcopy__(self, memo):
        return self  # immutable


class _Ref:
    """Hashable wrapper returned by ``Tensor.ref()``."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor):
        self._tensor = tensor

    def deref(self):
        return self._tensor

    def __hash__(self):
        return id(self._tensor)

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._tensor is self._tensor


def _shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _array_text(tensor):
    host = tensor.numpy()
    if isinstance(host, bytes):
        return repr(host)
    return str(np.asarray(host))


# -- conversion ---------------------------------------------------------------------------------
_INT32 = np.iinfo(np.int32)


def _host_array(value, dtype):
    """A NumPy array for a Python or NumPy value, with TensorFlow's dtype inference.

    Python floats become float32 and Python ints int32 (int64 when they do not fit); NumPy arrays
    keep their dtype; strings become ``string`` (bytes). An explicit ``dtype`` that cannot hold
    the value raises TypeError as TensorFlow does (``constant(123456789, int16)``).
    """
    from_numpy = isinstance(value, (np.ndarray, np.generic))
    try:
        arr = np.asarray(value)
    except ValueError as exc:
        raise ValueError(f"cannot convert {_short(value)} to a tensor: {exc}") from None
    if arr.dtype.kind in "USO":
        if arr.dtype.kind == "O" and not _all_text(arr):
            raise TypeError(f"cannot convert {_short(value)} to a tensor: it holds objects that "
                            "are neither numbers nor strings")
        arr = _to_bytes(arr)
        if dtype is not None and dtype is not _dtypes.string:
            raise TypeError(f"cannot convert the string value {_short(value)} to a tensor of "
                            f"dtype {dtype.name}")
        return arr
    if dtype is None:
        if not from_numpy:
            if arr.dtype.kind == "f":
                arr = arr.astype(np.float32)
            elif arr.dtype.kind in "iu":
                if arr.size == 0 or (arr.min() >= _INT32.min and arr.max() <= _INT32.max):
                    arr = arr.astype(np.int32)
                else:
                    arr = arr.astype(np.int64)
            elif arr.dtype.kind == "c":
                arr = arr.astype(np.complex128)
        return arr
    if dtype is _dtypes.string:
        raise TypeError(f"cannot convert {_short(value)} of dtype {arr.dtype} to a string tensor")
    target = dtype._np
    if not from_numpy:
        _check_representable(value, arr, dtype)
    return arr.astype(target, copy=False)


def _check_representable(value, arr, dtype):
    target = dtype._np
    if target.kind in "iu":
        if arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                raise TypeError(f"Cannot convert {_short(value)} to EagerTensor of dtype {dtype.name}")
        if arr.dtype.kind in "iuf" and arr.size:
            info = np.iinfo(target)
            if arr.min() < info.min or arr.max() > info.max:
                raise TypeError(f"Cannot convert {_short(value)} to EagerTensor of dtype {dtype.name}")
    elif target.kind == "b" and arr.dtype.kind != "b":
        raise TypeError(f"Cannot convert {_short(value)} to EagerTensor of dtype bool")


def _all_text(arr):
    return all(isinstance(v, (str, bytes)) for v in arr.flat)


def _to_bytes(arr):
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        flat_out[i] = v.encode("utf-8") if isinstance(v, str) else bytes(v)
    return out


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def constant_from_host(host, dtype_name):
    """Rebuild a tensor from a pickled host copy (used by ``Tensor.__reduce__``)."""
    return as_tensor(np.asarray(host), _dtypes.as_dtype(dtype_name))


def as_tensor(value, dtype=None):
    """``value`` as a Tensor on the current device (no copy when it already is one).

    Tensors keep their device; a requested ``dtype`` different from a Tensor's raises, like
    ``tf.convert_to_tensor``. Variables give their current value and are marked as accessed for
    the recording tapes.
    """
    if type(value) is Tensor:
        if dtype is not None and _dtypes.as_dtype(dtype) != value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {_dtypes.as_dtype(dtype).name} "
                             f"for Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    read = getattr(value, "_gpukeras_tensor", None)
    if read is not None:
        value = read()
        return value if dtype is None and type(value) is Tensor else as_tensor(value, dtype)
    if dtype is not None:
        dtype = _dtypes.as_dtype(dtype)
    spec = backends.current_device()
    backend = backends.backend_for(spec)
    if type(value) is not np.ndarray and not isinstance(value, np.generic):
        try:
            owner = backends.backend_of(value)
        except TypeError:
            owner = None
        if owner is not None:
            # An array of a backend (e.g. a CuPy array): wrap it where it lives.
            return Tensor(value if dtype is None else value.astype(dtype._np, copy=False))
    host = _host_array(value, dtype)
    if host.dtype == object:
        return Tensor(host)  # strings live on the host
    return Tensor(backend.asarray(host))


def wrap(array):
    """A Tensor around a backend array, turning NumPy's 0-d scalar results into arrays."""
    if type(array) is not _NDARRAY:
        if isinstance(array, np.generic):
            array = np.asarray(array)
        elif isinstance(array, (bytes, str)):  # one element of a string tensor
            array = _to_bytes(np.array(array, dtype=object))
    return Tensor(array)


_NDARRAY = np.ndarray


def is_tensor(value):
    """True for Tensors and Variables (anything ops accept without a host conversion)."""
    return type(value) is Tensor or hasattr(value, "_gpukeras_tensor")
