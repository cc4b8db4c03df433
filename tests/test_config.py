"""tf.config and backend selection: GPUKERAS_BACKEND, set_backend, device scopes, device names."""

import os
import subprocess
import sys

import pytest

import gpukeras as tf
from gpukeras import backends, config
from gpukeras.backends import BackendUnavailableError, DeviceSpec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAS_GPU = "cupy" in backends.available()
no_gpu_only = pytest.mark.skipif(HAS_GPU, reason="this machine has a usable GPU")


# -- tf.config ----------------------------------------------------------------------------------
def test_list_physical_devices():
    devices = config.list_physical_devices()
    assert devices[0] == config.PhysicalDevice("/physical_device:CPU:0", "CPU")
    assert repr(devices[0]) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert config.list_physical_devices("CPU") == devices[:1]
    assert config.list_physical_devices("cpu") == devices[:1]
    gpus = config.list_physical_devices("GPU")
    assert all(d.device_type == "GPU" for d in gpus)
    assert [d.name for d in gpus] == [f"/physical_device:GPU:{i}" for i in range(len(gpus))]
    assert bool(gpus) == HAS_GPU
    assert config.list_logical_devices() == devices
    assert config.experimental.list_physical_devices("GPU") == gpus


@no_gpu_only
def test_no_gpu_listed_here():
    assert config.list_physical_devices("GPU") == []


def test_physical_devices_are_hashable_values():
    a = config.PhysicalDevice("/physical_device:CPU:0", "CPU")
    assert a == config.PhysicalDevice("/physical_device:CPU:0", "CPU")
    assert len({a, config.PhysicalDevice("/physical_device:CPU:0", "CPU")}) == 1


def test_tf32_switch(monkeypatch):
    from gpukeras.kernels import cublas
    monkeypatch.setattr(cublas, "TF32", False)
    assert config.experimental.tensor_float_32_execution_enabled() is False
    config.experimental.enable_tensor_float_32_execution(True)
    assert config.experimental.tensor_float_32_execution_enabled() is True
    assert cublas.TF32 is True   # what the GPU's float32 GEMMs read


def test_compatibility_no_ops():
    for gpu in config.list_physical_devices("GPU"):
        config.experimental.set_memory_growth(gpu, True)
    config.run_functions_eagerly(True)
    assert config.functions_run_eagerly() is True


# -- GPUKERAS_BACKEND ---------------------------------------------------------------------------
_PROBE = ("import gpukeras as tf\n"
          "t = tf.constant([1.0])\n"
          "print(tf.backends.backend_name(), t.device)\n")


def _probe(value):
    env = dict(os.environ, GPUKERAS_BACKEND=value)
    return subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_env_numpy():
    proc = _probe("numpy")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["numpy", "/job:localhost/replica:0/task:0/device:CPU:0"]


def test_env_auto_picks_cupy_only_with_a_gpu():
    proc = _probe("auto")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == ("cupy" if HAS_GPU else "numpy")


def test_env_is_case_and_space_insensitive():
    proc = _probe(" NumPy ")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == "numpy"


@no_gpu_only
def test_env_cupy_fails_with_an_install_hint():
    proc = _probe("cupy")
    assert proc.returncode != 0
    assert "BackendUnavailableError" in proc.stderr
    assert "pip install gpukeras[cuda12]" in proc.stderr


def test_env_bogus_is_rejected():
    proc = _probe("tpu")
    assert proc.returncode != 0
    assert "unknown backend 'tpu'" in proc.stderr


# -- set_backend --------------------------------------------------------------------------------
@pytest.fixture
def restore_backend(monkeypatch):
    monkeypatch.setattr(backends, "_default_device", backends._default_device)


def test_set_backend_bogus(restore_backend):
    with pytest.raises(ValueError, match="unknown backend 'bogus'"):
        backends.set_backend("bogus")


def test_set_backend_numpy(restore_backend):
    backends.set_backend("numpy")
    assert backends.backend_name() == "numpy"
    assert backends.get_backend() is backends.NUMPY
    assert tf.constant([1.0]).device.endswith("CPU:0")


def test_set_backend_auto(restore_backend):
    backends.set_backend("auto")
    assert backends.backend_name() == ("cupy" if HAS_GPU else "numpy")


@no_gpu_only
def test_set_backend_cupy_without_gpu(restore_backend):
    with pytest.raises(BackendUnavailableError, match=r"pip install gpukeras\[cuda12\]"):
        backends.set_backend("cupy")


# -- device scopes ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["/CPU:0", "cpu", "/device:CPU:0", "CPU:0"])
def test_cpu_device_scope(name):
    with tf.device(name) as spec:
        assert spec == DeviceSpec("cpu")
        assert backends.current_device() == DeviceSpec("cpu")
        t = tf.constant([1.0, 2.0])
        assert backends.backend_name() == "numpy"
    assert t.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert type(t._data).__module__ == "numpy"


def test_device_scopes_nest_and_restore():
    before = backends.current_device()
    with tf.device("cpu"):
        with tf.device("/CPU:0"):
            assert backends.current_device() == DeviceSpec("cpu")
        assert backends.current_device() == DeviceSpec("cpu")
    assert backends.current_device() == before


def test_device_scope_restores_after_an_error():
    before = backends.current_device()
    with pytest.raises(RuntimeError):
        with tf.device("cpu"):
            raise RuntimeError("boom")
    assert backends.current_device() == before


@no_gpu_only
@pytest.mark.parametrize("name", ["gpu", "/GPU:0", "gpu:1"])
def test_gpu_device_without_gpu(name):
    before = backends.current_device()
    with pytest.raises(BackendUnavailableError, match=r"pip install gpukeras\[cuda12\]"):
        with tf.device(name):
            pass
    assert backends.current_device() == before


@pytest.mark.gpu
def test_gpu_device_scope():
    with tf.device("/GPU:0"):
        t = tf.constant([1.0])
    assert t.device == "/job:localhost/replica:0/task:0/device:GPU:0"
    with pytest.raises(ValueError, match="does not exist"):
        with tf.device("gpu:64"):
            pass


def test_bad_device_names():
    with pytest.raises(ValueError, match="unknown device"):
        with tf.device("tpu:0"):
            pass
    with pytest.raises(TypeError):
        with tf.device(0):
            pass


# -- DeviceSpec ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kind, index", [
    ("/GPU:0", "gpu", 0),
    ("/device:CPU:0", "cpu", 0),
    ("/job:localhost/replica:0/task:0/device:GPU:1", "gpu", 1),
    ("/job:localhost/replica:0/task:0/device:CPU:0", "cpu", 0),
    ("gpu", "gpu", 0),
    ("gpu:1", "gpu", 1),
    ("GPU:3", "gpu", 3),
    ("cpu", "cpu", 0),
    ("/cpu:0", "cpu", 0),
    ("cuda:2", "gpu", 2),
    ("/device:GPU", "gpu", 0),  # no index: TensorFlow picks the first one
    ("  /GPU:0  ", "gpu", 0),
])
def test_device_spec_parsing(name, kind, index):
    spec = DeviceSpec.parse(name)
    assert (spec.kind, spec.index) == (kind, index)
    assert spec == DeviceSpec(kind, index)
    assert spec.short == f"{kind}:{index}"
    assert spec.tf_name == f"/job:localhost/replica:0/task:0/device:{kind.upper()}:{index}"
    assert DeviceSpec.parse(spec) is spec


@pytest.mark.parametrize("name", ["", "tpu", "/TPU:0", "gpu:", "gpu:x", "/GPU:-1", "/CPU:1",
                                  "cpu:2", "gpu0", "/job:localhost/GPU:0:0",
                                  "device:gpu:0:1"])
def test_device_spec_rejects_bad_names(name):
    with pytest.raises(ValueError):
        DeviceSpec.parse(name)


@pytest.mark.parametrize("value", [None, 0, 1.5, ["gpu"]])
def test_device_spec_rejects_non_strings(value):
    with pytest.raises(TypeError):
        DeviceSpec.parse(value)


def test_device_spec_is_hashable_and_printable():
    assert len({DeviceSpec("gpu", 1), DeviceSpec.parse("/GPU:1")}) == 1
    assert str(DeviceSpec("gpu", 1)) == "gpu:1"
    assert repr(DeviceSpec("cpu")) == "DeviceSpec('cpu:0')"
