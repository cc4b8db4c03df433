"""glibc's allocator settings for eager array code: keep freed memory for the next step.

Eager execution frees and re-allocates the same arrays every step. glibc starts by returning the
top of its heap to the kernel whenever 128 KiB of it is free, and by serving blocks of 128 KiB or
more with fresh ``mmap`` pages; it raises both limits only after it has freed such a block. A
training loop of small arrays (64x64 float32 ops, say) never does, so each step faulted its
~2 MB of temporaries back in (about 600 page faults per step, +50% time). gpukeras sets the two
limits once, on Linux with glibc: blocks up to 32 MiB (glibc's own ceiling for the dynamic
limit) come from the heap, and up to 64 MiB of free heap is kept. ``GPUKERAS_MALLOC_TUNING=0``
leaves the allocator as it is.
"""

import ctypes
import os
import platform

#: mallopt parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 64 << 20

_applied = []


def tune():
    """Apply the settings once; returns whether they are in effect."""
    if _applied:
        return _applied[0]
    ok = False
    if (os.environ.get("GPUKERAS_MALLOC_TUNING", "1") != "0" and platform.system() == "Linux"
            and platform.libc_ver()[0] == "glibc"):
        try:
            mallopt = ctypes.CDLL(None).mallopt
            ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
                mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
        except (OSError, AttributeError):
            ok = False
    _applied.append(ok)
    return ok
