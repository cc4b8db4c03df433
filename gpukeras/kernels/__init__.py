"""Fused CUDA kernels (``*.cu`` + ``gpu.py``) and their NumPy twins (``twins.py`` for the
layer kernels, ``optimizer_twins.py`` for the multi-tensor optimizer updates)."""


def _twin_modules():
    from . import optimizer_twins, twins
    return twins, optimizer_twins


def twin_names():
    """Every kernel's name: each has a NumPy twin and a GPU version of the same signature."""
    return sorted(name for module in _twin_modules() for name in module.__all__)


def twin(name):
    """The NumPy twin of kernel ``name``; KeyError naming the known kernels otherwise."""
    for module in _twin_modules():
        if name in module.__all__:
            return getattr(module, name)
    raise KeyError(f"no kernel named {name!r}; known kernels: {twin_names()}")
