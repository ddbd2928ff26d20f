"""Give memory back to the system after a peak of calls.

Python's small-object allocator keeps arenas that still hold one live object, and glibc
keeps freed heap pages; after a peak of thousands of calls the process would stay at its
peak size. The service runs with ``PYTHONMALLOC=malloc`` (Dockerfile, systemd unit) and,
once calls have dropped well below their peak, collects and trims the heap
(``malloc_trim``). bench/p4_concurrent_calls.py measures the effect.
"""

from __future__ import annotations

import ctypes
import gc

__all__ = ["release_memory"]

_LIBC: ctypes.CDLL | None
try:
    _LIBC = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc: nothing to trim
    _LIBC = None


def release_memory() -> None:
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
