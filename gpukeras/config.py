"""``tf.config``: which devices exist and how matmuls use them."""

from . import backends as _backends


class PhysicalDevice:
    """A device as ``tf.config.list_physical_devices`` describes it."""

    def __init__(self, name, device_type):
        self.name = name
        self.device_type = device_type

    def __repr__(self):
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"

    def __eq__(self, other):
        return isinstance(other, PhysicalDevice) and (self.name, self.device_type) == (
            other.name, other.device_type)

    def __hash__(self):
        return hash((self.name, self.device_type))


def list_physical_devices(device_type=None):
    """The CPU and every GPU CuPy can see, optionally only those of ``device_type``."""
    found = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if "cupy" in _backends.available():
        count = _backends.backend_for(_backends.DeviceSpec("gpu")).device_count()
        found += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(count)]
    if device_type is None:
        return found
    return [d for d in found if d.device_type == device_type.upper()]


def list_logical_devices(device_type=None):
    return list_physical_devices(device_type)


class experimental:  # noqa: N801 - TensorFlow's namespace name
    """``tf.config.experimental``."""

    @staticmethod
    def enable_tensor_float_32_execution(enabled):
        """Let float32 matmuls on the GPU use TF32 tensor cores (faster, ~10-bit mantissa).

        Off by default (as in CuPy and PyTorch; TensorFlow turns it on); ``CUPY_TF32=1`` in the
        environment turns it on at import."""
        from .kernels import cublas
        cublas.TF32 = bool(enabled)

    @staticmethod
    def tensor_float_32_execution_enabled():
        from .kernels import cublas
        return cublas.TF32

    @staticmethod
    def set_memory_growth(device, enable):
        """Accepted for compatibility: CuPy's memory pool always grows on demand."""

    @staticmethod
    def list_physical_devices(device_type=None):
        return list_physical_devices(device_type)


def run_functions_eagerly(run_eagerly):
    """Accepted for compatibility: gpukeras always runs eagerly."""


def functions_run_eagerly():
    return True
