"""glibc's allocator keeps an eager loop's freed temporaries (no page faults per step)."""

import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the allocator settings apply to glibc on Linux")

_LOOP = textwrap.dedent("""
    import resource
    import numpy as np
    import gpukeras as tf
    from gpukeras.backends import host_memory
    x = tf.constant(np.full((64, 64), 0.1, np.float32))
    w = tf.Variable(np.eye(64, dtype=np.float32))

    def step():   # ~200 small temporaries, ~3 MB in all, freed at the end of the step
        with tf.GradientTape() as tape:
            h = x
            for _ in range(40):
                h = tf.tanh(tf.matmul(h, w) + 0.5) * 1.5 - x
            loss = tf.reduce_sum(h)
        return tape.gradient(loss, w)

    for _ in range(5):
        step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        step()
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20
    print(host_memory.tune(), faults)
""")


def _run(**env):
    full = {**os.environ, "GPUKERAS_BACKEND": "numpy", **env}
    out = subprocess.run([sys.executable, "-c", _LOOP], capture_output=True, text=True, cwd=ROOT,
                         env=full, timeout=120)
    assert out.returncode == 0, out.stderr
    tuned, faults = out.stdout.split()
    return tuned == "True", float(faults)


@glibc_only
def test_an_eager_loop_reuses_its_memory_instead_of_faulting_it_back_in():
    tuned, faults = _run(GPUKERAS_MALLOC_TUNING="1")
    assert tuned and faults < 50, faults   # untuned glibc: ~600 page faults per step here


def test_the_settings_can_be_left_alone():
    tuned, _ = _run(GPUKERAS_MALLOC_TUNING="0")
    assert not tuned
