"""Variable: a named, mutable tensor that training updates in place of its value.

A Variable holds a Tensor that shares the Variable's id, so gradients taken through any read
of it land on the Variable. ``assign`` swaps in a new Tensor rather than writing into the old
array: values a tape saved during the forward pass stay what they were when read.
"""

import copy
import itertools
import sys as _sys

from ..backends import capturing as _capturing
from . import dtypes as _dtypes
from . import tape as _tape
from .tensor import Tensor, TensorShape, as_tensor, wrap

_unnamed = itertools.count()
#: Reference count of an object seen only by its owner, inside _data_for_update.
_PRIVATE_REFS = 3


class Variable:
    """``tf.Variable``: ``Variable(initial_value, trainable=True, name=None, dtype=None)``."""

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None,
                 shape=None, constraint=None, validate_shape=True, **kwargs):
        if initial_value is None:
            raise ValueError("Variable needs an initial_value")
        if callable(initial_value):
            initial_value = initial_value()
        value = as_tensor(initial_value) if dtype is None else _cast_value(initial_value, dtype)
        if shape is not None and validate_shape:
            shape = TensorShape(shape)
            if not shape.is_compatible_with(value.shape):
                raise ValueError(f"Variable {name or ''}: initial value has shape "
                                 f"{tuple(value.shape)}, expected {tuple(shape)}")
        self._value = Tensor(value._data)
        self._id = self._value._id
        self._trainable = bool(trainable)
        self._name = name if name is not None else "Variable"
        self.constraint = constraint
        for key in kwargs:
            if key not in ("caching_device", "synchronization", "aggregation", "import_scope",
                           "variable_def"):
                raise TypeError(f"Variable() got an unexpected keyword argument {key!r}")

    # -- reading ---------------------------------------------------------------------------------
    def _gpukeras_tensor(self):
        if _tape.RECORDING:
            _tape.variable_accessed(self)
        return self._value

    def value(self):
        """The current value as a Tensor."""
        return self._gpukeras_tensor()

    read_value = value

    @property
    def name(self):
        return self._name if ":" in self._name else self._name + ":0"

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def device(self):
        return self._value.device

    def get_shape(self):
        return self.shape

    def numpy(self):
        return self._value.numpy()

    def __array__(self, dtype=None, copy=None):
        return self._value.__array__(dtype)

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return iter(self._gpukeras_tensor())

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self._value.__index__()

    def __hash__(self):
        return id(self)

    def ref(self):
        return self

    def deref(self):
        return self

    # -- writing ---------------------------------------------------------------------------------
    def _replace(self, data):
        new = Tensor(data)
        new._id = self._id
        self._value = new
        return self

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Set the value; the new value must have this variable's shape (it is cast to its dtype)."""
        new = _cast_value(value, self.dtype)
        if tuple(new.shape) != tuple(self.shape):
            raise ValueError(f"cannot assign a value of shape {tuple(new.shape)} to variable "
                             f"{self.name} of shape {tuple(self.shape)}")
        _check_same_device(self, new)
        self._set_data(new._data)
        return self if read_value else None

    def _set_data(self, data):
        """Make ``data`` (a backend array of this variable's dtype and shape) the value."""
        if _capturing():   # a CUDA graph replays into the buffers it recorded: write in place
            self._value._data[...] = data
        else:
            self._replace(data)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """``self += delta``."""
        delta = _cast_value(delta, self.dtype)
        _check_same_device(self, delta)
        if not _same_shape(self, delta):
            _broadcast_error(self, delta, "assign_add")
        self._set_data(wrap(self._value._data + delta._data)._data)   # 0-d sums stay arrays
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """``self -= delta``."""
        delta = _cast_value(delta, self.dtype)
        _check_same_device(self, delta)
        if not _same_shape(self, delta):
            _broadcast_error(self, delta, "assign_sub")
        self._set_data(wrap(self._value._data - delta._data)._data)
        return self if read_value else None

    def _data_for_update(self):
        """The array of the current value, safe for a fused kernel to update IN PLACE.

        Copy-on-write rule: the current array is handed out only when nothing but this
        variable can observe it, i.e. the value Tensor is referenced only by the variable and
        the array only by that Tensor, and the array owns its memory (no value() a caller
        still holds, no tape that saved the value, no view of the array, the array not itself
        a view of a user's array or of a batch, not read-only, contiguous). Otherwise a
        contiguous copy is swapped in first (as ``assign`` would swap in a new value), so
        every value read earlier keeps what it had. Without reference counts (not CPython)
        it always copies. Checking costs no device work; only a shared value costs a copy.
        """
        value = self._value
        data = value._data
        if _capturing():   # a recorded graph must update the buffer it will replay into
            return data
        getrefcount = getattr(_sys, "getrefcount", None)
        # References while checking: the owner (variable / Tensor), the local name, the argument.
        if (getrefcount is not None and getrefcount(value) <= _PRIVATE_REFS
                and getrefcount(data) <= _PRIVATE_REFS and data.base is None
                and data.flags.c_contiguous and getattr(data.flags, "writeable", True)):
            return data
        fresh = data.copy()
        self._replace(fresh)
        return fresh

    def __repr__(self):
        host = self._value.numpy()
        text = repr(host) if hasattr(host, "shape") and host.ndim else str(host)
        return (f"<tf.Variable '{self.name}' shape={_shape_text(self.shape)} "
                f"dtype={self.dtype.name}, numpy={text}>")

    def __deepcopy__(self, memo):
        """An independent variable of the same class (keras.Variable keeps its path,
        regularizer ...) holding a copy of the value under a new identity."""
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key not in ("_value", "_id"):
                new.__dict__[key] = copy.deepcopy(value, memo)
        new._value = Tensor(self._value._data.copy())
        new._id = new._value._id
        return new

    def __setstate__(self, state):
        # An unpickled value is a new Tensor: the variable takes its identity, so gradients
        # taken through reads of it land on the variable.
        self.__dict__.update(state)
        self._id = self._value._id


def _shape_text(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _same_shape(var, delta):
    return tuple(delta.shape) in (tuple(var.shape), ())


def _broadcast_error(var, delta, what):
    raise ValueError(f"{what}: delta of shape {tuple(delta.shape)} does not match variable "
                     f"{var.name} of shape {tuple(var.shape)}")


def _check_same_device(var, value):
    if type(value._data) is not type(var._value._data):
        raise ValueError(f"cannot assign a tensor on {value.device} to variable {var.name} on "
                         f"{var.device}; move it explicitly first")


def _cast_value(value, dtype):
    """``value`` as a tensor of ``dtype``: Python values convert, tensors of another dtype cast."""
    dtype = _dtypes.as_dtype(dtype)
    if type(value) is Tensor or hasattr(value, "_gpukeras_tensor"):
        t = as_tensor(value)
        if t.dtype != dtype:
            t = Tensor(t._data.astype(dtype._np))
        return t
    return as_tensor(value, dtype)
