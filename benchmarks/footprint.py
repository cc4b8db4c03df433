"""Footprint: wall time and peak RSS of ``import gpukeras`` in a fresh process on the CPU.

Targets: <= 0.3 s and <= 60 MB. ``import numpy`` alone is measured the same way as a floor.
"""

import json
import os
import subprocess
import sys

_PROBE = r"""
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = time.perf_counter() - start
# VmHWM (peak RSS of this address space) resets at exec, unlike ru_maxrss, which a child
# inherits from the parent that forked it.
status = open("/proc/self/status").read()
rss_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({{"seconds": elapsed, "rss_mb": rss_mb, "modules": sorted(
    m for m in ("cupy", "h5py", "torch", "scipy") if m in sys.modules)}}))
"""


def measure(module, repeat=5):
    """Best-of-``repeat`` import time and peak RSS of ``module`` in fresh interpreters."""
    env = dict(os.environ, GPUKERAS_BACKEND="numpy")
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], env=env,
                             capture_output=True, text=True, check=True).stdout
        result = json.loads(out)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def run(backends, options=None):
    repeat = 2 if options is not None and options.quick else 5
    rows = []
    floor = measure("numpy", repeat)
    ours = measure("gpukeras", repeat)
    rows.append({"workload": "footprint", "device": "CPU", "impl": "import numpy",
                 "seconds": floor["seconds"], "rss_mb": floor["rss_mb"]})
    rows.append({"workload": "footprint", "device": "CPU", "impl": "import gpukeras",
                 "seconds": ours["seconds"], "rss_mb": ours["rss_mb"],
                 "eager_imports": ",".join(ours["modules"]) or "none",
                 "target": "<= 0.3 s, <= 60 MB"})
    return rows
