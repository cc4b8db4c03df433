"""Backend dispatch: which array library (NumPy or CuPy) and which device new tensors use.

``GPUKERAS_BACKEND=auto|numpy|cupy`` picks the default (``auto``: CuPy when it imports and sees a
GPU, else NumPy); ``set_backend`` changes it; ``gpukeras.device(...)`` scopes override it for the
tensors created inside them.
"""

import contextlib
import contextvars
import os

from . import numpy_backend as _numpy_module
from .base import Backend
from .cuda_graphs import CaptureError, capturing
from .cupy_backend import BackendUnavailableError, probe as _probe_cupy
from .devices import DeviceSpec

__all__ = ["Backend", "BackendUnavailableError", "DeviceSpec", "get_backend", "set_backend",
           "backend_name", "device", "current_device", "backend_of", "backend_for", "available",
           "seed_all", "capturing", "CaptureError", "deferred_errors"]

NUMPY = _numpy_module.backend
_cupy_backend = None
_default_device = None               # a DeviceSpec, resolved lazily from the environment
_scoped_device = contextvars.ContextVar("gpukeras_device", default=None)
_ARRAY_BACKENDS = {NUMPY.xp.ndarray: NUMPY}
_last_seed = None                    # the latest seed_all() seed, applied to backends started later


def _cupy():
    """The CuPy backend, started on first use (raises BackendUnavailableError with a hint)."""
    global _cupy_backend
    if _cupy_backend is None:
        from .cupy_backend import CupyBackend
        backend = CupyBackend()
        if _last_seed is not None:
            backend.seed(_last_seed)
        _cupy_backend = backend
        _ARRAY_BACKENDS[backend.array_type] = backend
    return _cupy_backend


def available():
    """Names of the backends that can run here, e.g. ``['numpy', 'cupy']``."""
    return ["numpy", "cupy"] if _probe_cupy()[0] else ["numpy"]


def _resolve(name):
    name = (name or "auto").strip().lower()
    if name == "numpy":
        return DeviceSpec("cpu")
    if name == "cupy":
        _cupy()
        return DeviceSpec("gpu")
    if name == "auto":
        return DeviceSpec("gpu") if _probe_cupy()[0] else DeviceSpec("cpu")
    raise ValueError(f"unknown backend {name!r}; expected 'auto', 'numpy' or 'cupy'")


def set_backend(name):
    """Make ``name`` ("numpy", "cupy" or "auto") the default backend for new tensors."""
    global _default_device
    _default_device = _resolve(name)


def current_device():
    """The DeviceSpec new tensors are created on here."""
    global _default_device
    scoped = _scoped_device.get()
    if scoped is not None:
        return scoped
    if _default_device is None:
        _default_device = _resolve(os.environ.get("GPUKERAS_BACKEND", "auto"))
    return _default_device


def backend_for(spec):
    """The backend serving a DeviceSpec."""
    return NUMPY if spec.kind == "cpu" else _cupy()


def get_backend():
    """The backend new tensors use here (the current device's)."""
    spec = current_device()
    return NUMPY if spec.kind == "cpu" else _cupy()


def seed_all(seed):
    """Reseed the generator of every started backend (NumPy, and CuPy once it has started).

    Returns the names of the backends reseeded; a backend started later gets the same seed.
    """
    global _last_seed
    _last_seed = seed
    started = [NUMPY] if _cupy_backend is None else [NUMPY, _cupy_backend]
    for backend in started:
        backend.seed(seed)
    return [backend.name for backend in started]


@contextlib.contextmanager
def deferred_errors():
    """Let device kernels record data errors (out-of-range sparse labels) instead of reading
    them back after every launch, and raise the first one when the block ends (one read).
    The training loops run each epoch in one, so a step never waits for the device."""
    if _cupy_backend is None:
        yield
        return
    with _cupy_backend.deferred_errors():
        yield


def backend_name():
    """``"numpy"`` or ``"cupy"``: the name of ``get_backend()``."""
    return get_backend().name


def backend_of(array):
    """The backend owning ``array`` (by its type)."""
    try:
        return _ARRAY_BACKENDS[type(array)]
    except KeyError:
        raise TypeError(f"{type(array).__name__} is not an array of any gpukeras backend") from None


@contextlib.contextmanager
def device(name):
    """Create tensors on ``name`` ("/GPU:0", "/CPU:0", "gpu", "gpu:1", "cpu") inside the block."""
    spec = DeviceSpec.parse(name)
    if spec.kind == "gpu":
        backend = _cupy()
        count = backend.device_count()
        if spec.index >= count:
            raise ValueError(f"device {name!r} does not exist: this machine has {count} GPU(s)")
        scope = backend.scope(spec.index)
    else:
        scope = contextlib.nullcontext()
    token = _scoped_device.set(spec)
    try:
        with scope:
            yield spec
    finally:
        _scoped_device.reset(token)
