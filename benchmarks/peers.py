"""Peers in their own interpreters: native PyTorch on the CPU, Keras 3 on the CPU or the GPU.

A CPU peer sees no GPU (``JAX_PLATFORMS=cpu``, ``CUDA_VISIBLE_DEVICES=""``): in-process,
PyTorch's OpenMP threads fought NumPy's OpenBLAS threads and lost 3-4x. A GPU peer (Keras on
JAX or on PyTorch CUDA) runs with the TF32 mode of its section. Each returns ``(samples/s,
version)`` or ``(None, why not)``; nothing here raises.

Run one alone: ``python -m benchmarks.peers keras|torch WORKLOAD [--gpu] [--tf32 on] [--quick]``
(``KERAS_BACKEND`` picks Keras' backend).
"""

import argparse
import importlib.util
import json
import os
import sys

from .common import TF32_MODES, cpu_env, gpu_env, run_child, set_torch_tf32, torch_tf32

KERAS_BACKENDS = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow"}
GPU_KERAS_BACKENDS = ("jax", "torch")


def _installed(module):
    """True when ``module`` can be found (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _args(name, options, gpu=False, tf32=None):
    args = [name] + (["--quick"] if options.quick else [])
    if gpu:
        args += ["--gpu", "--tf32", tf32 or "off"]
    return args


def _result(result, why):
    if result is None:
        return None, why
    return result["samples_per_s"], result["version"]


#: An interpreter with TensorFlow, for Keras 3 on TensorFlow: TensorFlow pins versions (h5py,
#: protobuf) that need not suit the environment gpukeras is tested in, so it may live apart.
TF_PYTHON_ENV = "GPUKERAS_BENCH_TF_PYTHON"


def run_keras_peer(name, keras_backend, options, gpu=False, tf32=None, timeout=600):
    """samples/s of Keras 3 on ``keras_backend`` in a child process, or (None, why not)."""
    needed = KERAS_BACKENDS[keras_backend]
    python = os.environ.get(TF_PYTHON_ENV) if keras_backend == "tensorflow" else None
    if python is None:
        if not _installed("keras"):
            return None, "keras not installed"
        if not _installed(needed):
            return None, f"{needed} not installed (or set {TF_PYTHON_ENV})" if (
                keras_backend == "tensorflow") else f"{needed} not installed"
    env = gpu_env(tf32 or "off") if gpu else cpu_env()
    env["KERAS_BACKEND"] = keras_backend
    return _result(*run_child("benchmarks.peers", ["keras"] + _args(name, options, gpu, tf32),
                              env, timeout, python=python))


def run_torch_peer(name, options, timeout=600):
    """Native PyTorch on the CPU in a fresh process that sees no GPU, or (None, why not)."""
    if not _installed("torch"):
        return None, "torch not installed"
    return _result(*run_child("benchmarks.peers", ["torch"] + _args(name, options), cpu_env(),
                              timeout))


def _keras_device(keras):
    """"gpu" or "cpu": where this Keras process computes."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax
        return "gpu" if jax.default_backend() in ("gpu", "cuda", "rocm") else "cpu"
    if backend == "torch":
        import torch
        return "gpu" if torch.cuda.is_available() else "cpu"
    if backend == "tensorflow":
        import tensorflow as tf
        return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
    return "cpu"


def _set_keras_tf32(backend, mode):
    if backend == "torch":
        import torch
        set_torch_tf32(torch, mode)
    elif backend == "jax":
        import jax
        jax.config.update("jax_default_matmul_precision",
                          "tensorfloat32" if mode == "on" else "highest")


def child(kind, name, gpu=False, tf32="off", quick=False):
    """The child's work: print one JSON line with samples_per_s, version and device."""
    from . import training
    cfg = training.config(name, quick, gpu)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if kind == "torch":
        import torch
        device = "cuda" if gpu else "cpu"
        sps = training.run_torch(cfg, device, tf32 if gpu else None)
        version = torch.__version__
        if sps is None:
            raise RuntimeError(f"torch sees no {device}")
    else:
        if gpu:
            _set_keras_tf32(backend, tf32)
        import keras
        where = _keras_device(keras)
        if where != ("gpu" if gpu else "cpu"):
            raise RuntimeError(f"keras-{backend} runs on the {where}, not the "
                               f"{'gpu' if gpu else 'cpu'}")
        keras.utils.set_random_seed(training.SEED)
        x, y = training._data(cfg)
        sps = training._keras_throughput(keras, cfg, x, y, read_back=gpu)
        version = keras.__version__
    effective = None                        # the TF32 setting the peer ran with, for the record
    if gpu and (kind == "torch" or backend == "torch"):
        effective = torch_tf32()
    elif gpu and backend == "jax":
        import jax
        effective = str(jax.config.jax_default_matmul_precision)
    print(json.dumps({"samples_per_s": sps, "version": version,
                      "device": "gpu" if gpu else "cpu", "tf32": effective}))


def parse_args(argv=None):
    from .training import CONFIGS
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("kind", choices=("keras", "torch"))
    parser.add_argument("workload", choices=sorted(CONFIGS))
    parser.add_argument("--gpu", action="store_true", help="run on the GPU (default: CPU)")
    parser.add_argument("--tf32", choices=TF32_MODES, default="off")
    parser.add_argument("--quick", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    child(args.kind, args.workload, args.gpu, args.tf32, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
