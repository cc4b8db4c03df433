"""The compiled step of ``compile(jit_compile=...)`` on a GPU: the train (or test) step recorded
once per input signature as a CUDA graph and replayed for every batch.

This is what ``tf.function`` / XLA give Keras on TensorFlow and JAX: Python runs the step while
it is recorded (after two eager warm-up steps that build optimizer slots and metric state), and
later batches only copy their arrays into the graph's input buffers and launch it. As with a
traced function, Python side effects of the step happen while recording, not on every batch.

The graph replays into the buffers of the variables it recorded. Before each launch the step
checks that every model, optimizer and metric variable still owns its recorded buffer; a value
assigned from outside (``set_weights``, ``reset_state``, a learning-rate callback) is copied into
it, and when that is not possible the step is recorded again. A variable value somebody holds
(``v.value()``) is handed a snapshot first, so it keeps what it read, as with eager steps. Anything the graph cannot hold (a
read back to the host, a host-array upload, a backend without graphs) turns capture off for
this step function: it then runs eagerly, with a warning when ``jit_compile=True`` was asked for.
"""

import sys
import warnings

from ... import backends
from ...core.tensor import Tensor, as_tensor
from ..symbolic import flatten, map_structure, pack_like

#: Eager steps per input signature before recording (lazily created state is built by then).
WARMUP_STEPS = 2
#: References to a recorded buffer when only the pin list holds it (list entry, loop name, call).
_PRIVATE_REFS = 3
#: References to a variable's value Tensor when nobody else holds it (the variable, the loop
#: name, the call).
_HELD_VALUE_REFS = 3


class _Recording:
    """One recorded graph and the variable buffers it replays into."""

    def __init__(self, graph, pins):
        self.graph = graph
        self.pins = pins     # [(variable, recorded array)]

    def repin(self):
        """Copy values assigned from outside into the recorded buffers; False if one cannot be
        reused (something else still holds it) and the step must be recorded again. A value a
        caller still holds (``v.value()``) is left a snapshot, as eager updates would leave it."""
        for variable, buf in self.pins:
            value = variable._value
            current = value._data
            if current is buf:
                if sys.getrefcount(value) > _HELD_VALUE_REFS:
                    value._data = buf.copy()   # the holder keeps what it read
                    variable._replace(buf)
                continue
            if (sys.getrefcount(buf) > _PRIVATE_REFS or current.shape != buf.shape
                    or current.dtype != buf.dtype):
                return False
            buf[...] = current
            variable._replace(buf)
        return True


class CapturedStep:
    """``fn(data) -> logs`` replayed as a CUDA graph per input signature where possible."""

    def __init__(self, fn, state, explicit, name, copy_outputs=False):
        self._fn = fn
        self._state = state          # () -> every Variable the step may read or write
        self._explicit = explicit    # jit_compile=True: say so when capture is impossible
        self._name = name
        self._copy_outputs = copy_outputs   # the caller keeps every batch's outputs (predict)
        self._recordings = {}
        self._calls = {}
        #: Why the step runs eagerly (None while capture is on).
        self.disabled = None

    def __call__(self, data):
        if self.disabled is not None:
            return self._fn(data)
        tensors = [_device_tensor(leaf) for leaf in flatten(data)]
        present = [t for t in tensors if t is not None]
        if not present or any(t is False for t in present):
            self._give_up("its inputs are not all arrays")
            return self._fn(data)
        backend = backends.backend_of(present[0]._data)
        if not backend.supports_capture:
            self._give_up(f"the {backend.name} backend has no CUDA graphs")
            return self._fn(data)
        data = pack_like(data, tensors)
        key = (repr(map_structure(lambda _: 0, data)),
               tuple(None if t is None else (tuple(t._data.shape), t._data.dtype.str)
                     for t in tensors))
        recording = self._recordings.get(key)
        if recording is not None and not recording.repin():
            recording = None
        if recording is None:
            calls = self._calls.get(key, 0) + 1
            self._calls[key] = calls
            if calls <= WARMUP_STEPS:
                return self._fn(data)
            recording = self._record(backend, data, tensors, key)
            if recording is None:
                return self._fn(data)
        recording.graph.launch([None if t is None else t._data for t in tensors])
        if self._copy_outputs:   # the next replay overwrites the graph's output buffers
            return map_structure(_copy_tensor, recording.graph.outputs)
        return recording.graph.outputs

    def _record(self, backend, data, tensors, key):
        variables = list(self._state())
        before = [(v, v._value) for v in variables]

        def run(inputs):
            return self._fn(pack_like(data, [None if a is None else Tensor(a) for a in inputs]))

        try:
            graph = backend.capture(run, [None if t is None else t._data for t in tensors])
        except backends.CaptureError as exc:
            graph, reason = None, str(exc)
        if graph is not None:
            replaced = [v for v, value in before if v._value is not value]
            reason = (f"variable {replaced[0].name!r} was replaced instead of updated in place"
                      if replaced else None)
        for v, value in before:    # nothing recorded has run: the values are still these
            v._value = value
        if reason is not None:
            self._give_up(reason)
            return None
        recording = _Recording(graph, [(v, v._value._data) for v in variables])
        self._recordings[key] = recording
        return recording

    def _give_up(self, reason):
        self.disabled = reason
        self._recordings.clear()
        if self._explicit:
            warnings.warn(f"jit_compile: the {self._name} could not be recorded as a CUDA graph "
                          f"({reason}); it runs eagerly.", stacklevel=3)


def _copy_tensor(value):
    return Tensor(value._data.copy()) if type(value) is Tensor else value


def _device_tensor(leaf):
    """The leaf as a Tensor on the current device; None stays None, False for non-arrays."""
    if leaf is None:
        return None
    if type(leaf) is Tensor:
        return leaf
    if hasattr(leaf, "_gpukeras_tensor"):
        return leaf._gpukeras_tensor()
    if hasattr(leaf, "__array__") and hasattr(leaf, "shape") and hasattr(leaf, "dtype"):
        if getattr(leaf.dtype, "kind", "O") in "OUS":
            return False
        return as_tensor(leaf)
    return False
