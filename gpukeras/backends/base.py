"""The interface every array backend offers to the layers above it.

A backend owns one array module (``xp``), knows how to move arrays to and from the host, how
to make random numbers reproducibly, and answers ``kernel(name)`` with either a fused GPU
kernel or its NumPy twin. Nothing above ``backends/`` needs to know which one it talks to.
"""


class Backend:
    """One array library on one kind of device (NumPy on the CPU, CuPy on a GPU)."""

    name = "abstract"
    #: ``"cpu"`` or ``"gpu"``.
    device_type = "abstract"

    def __init__(self):
        self._kernels = {}

    # -- arrays ------------------------------------------------------------------------------
    @property
    def xp(self):
        """The NumPy-compatible array module of this backend."""
        raise NotImplementedError

    def asarray(self, value, dtype=None):
        """An array of this backend holding ``value`` (host data is copied to the device)."""
        raise NotImplementedError

    def to_host(self, array):
        """A NumPy array with the contents of ``array``."""
        raise NotImplementedError

    def device_index(self, array):
        """The index of the device ``array`` lives on (always 0 for the CPU)."""
        return 0

    def scope(self, index):
        """A context manager making device ``index`` current for new arrays and launches."""
        raise NotImplementedError

    def quiet(self):
        """A context manager silencing floating-point warnings (inf/nan results are returned)."""
        from contextlib import nullcontext
        return nullcontext()

    # -- CUDA graphs --------------------------------------------------------------------------
    #: Whether ``capture`` can record functions into replayable graphs on this backend.
    supports_capture = False

    def capture(self, fn, arrays):
        """Record ``fn(inputs)`` (inputs: private copies of ``arrays``) for replay; see
        ``backends.cuda_graphs``. Backends without graphs raise NotImplementedError."""
        raise NotImplementedError(f"the {self.name} backend cannot capture graphs")

    # -- random numbers ----------------------------------------------------------------------
    def seed(self, seed):
        """Reset this backend's global generator so the same seed gives the same numbers."""
        raise NotImplementedError

    def generator(self):
        """The backend's random generator (NumPy's ``Generator`` API)."""
        raise NotImplementedError

    # -- kernels ----------------------------------------------------------------------------
    def kernel(self, name):
        """The fused kernel ``name`` (GPU) or its NumPy twin (CPU), with the same signature."""
        try:
            return self._kernels[name]
        except KeyError:
            fn = self._load_kernel(name)
            self._kernels[name] = fn
            return fn

    def _load_kernel(self, name):
        raise NotImplementedError

    # -- description ---------------------------------------------------------------------------
    def device_name(self, index=0):
        """A human-readable name of the device (CPU model or GPU name)."""
        raise NotImplementedError

    def versions(self):
        """``{library: version}`` for the libraries this backend runs on."""
        raise NotImplementedError

    def __repr__(self):
        return f"<gpukeras backend {self.name!r} ({self.device_type})>"
