"""CUDA-graph capture for the CuPy backend: record a function's launches once, replay them.

A training step of a small model is a few hundred kernel launches, each costing CuPy 10-30 us
of host time, so the GPU idles while Python runs. Captured into one graph, the same step is one
launch. What capture requires and how it is met here:

- Nothing may be read back to the host or copied from pageable host memory while capturing
  (CuPy raises; that failure is reported and the caller runs the function eagerly instead).
- Every array the graph allocates comes from a private memory pool that lives as long as the
  graph, so no eager code can be handed a buffer the graph still writes on replay.
- State the function updates (variables) must be updated in place: ``capturing()`` tells
  ``Variable`` to write into its current buffer instead of swapping in a new one.
- Host values read during capture are frozen into the graph, so everything that changes from
  step to step must live on the device (the optimizer's step count and learning rate do).
"""

import threading

_STATE = threading.local()
#: Threads recording right now: while it is 0 (always, on a CPU) ``capturing`` is one global read.
_RECORDING = [0]
_RECORDING_LOCK = threading.Lock()


class CaptureError(RuntimeError):
    """The function did something a CUDA graph cannot hold (a host read, an upload, ...)."""


def capturing():
    """True while this thread is recording a CUDA graph (state updates must stay in place)."""
    return bool(_RECORDING[0]) and getattr(_STATE, "active", False)


class CapturedGraph:
    """A recorded graph with its private memory pool, static input buffers and outputs."""

    def __init__(self, cupy, graph, pool, inputs, outputs):
        self._cupy = cupy
        self._graph = graph
        self._pool = pool          # keeps every buffer the graph touches alive and private
        self.inputs = inputs       # CuPy arrays the graph reads its arguments from
        self.outputs = outputs     # whatever the function returned while it was captured

    def launch(self, arrays):
        """Copy ``arrays`` into the input buffers and replay, both on the current stream (so
        after the eager work queued before; nothing waits for the device)."""
        for buf, a in zip(self.inputs, arrays):
            if buf is not None and a is not buf:
                buf[...] = a
        self._graph.launch(self._cupy.cuda.get_current_stream())


def capture(cupy, fn, arrays):
    """Record ``fn(inputs)`` where ``inputs`` are private copies of ``arrays``.

    Returns a CapturedGraph; raises CaptureError (with the reason) when the function cannot
    be captured. Nothing runs on the device while recording: the caller launches the graph.
    """
    pool = cupy.cuda.MemoryPool()
    stream = cupy.cuda.Stream(non_blocking=True)
    with cupy.cuda.using_allocator(pool.malloc):
        inputs = [None if a is None else cupy.empty_like(a) for a in arrays]
        for buf, a in zip(inputs, arrays):
            if buf is not None:
                cupy.copyto(buf, a)
        cupy.cuda.get_current_stream().synchronize()   # the copies land before any replay
        error = outputs = graph = None
        _STATE.active = True
        with _RECORDING_LOCK:
            _RECORDING[0] += 1
        try:
            with stream:
                stream.begin_capture()
                try:
                    outputs = fn(inputs)
                except Exception as exc:    # reported below, after the capture is closed
                    error = exc
                try:
                    graph = stream.end_capture()
                except Exception as exc:
                    error = error or exc
        finally:
            _STATE.active = False
            with _RECORDING_LOCK:
                _RECORDING[0] -= 1
    if error is not None:
        raise CaptureError(f"{type(error).__name__}: {error}") from error
    return CapturedGraph(cupy, graph, pool, inputs, outputs)
