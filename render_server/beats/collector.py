"""Pause Python's cyclic garbage collector while a script is broken into beats.

A feature-length extraction allocates tens of thousands of objects (paragraphs, elements,
presences, moments) that live until it ends and are then freed by reference counting. While
they live, the cyclic collector keeps promoting and re-scanning them, with full passes over the
whole heap: on Big Fish that was about a tenth of the extraction's time and most of its jitter
from run to run. Any cycle made during an extraction is collected as usual once the last
running extraction ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0  # extractions in progress, across threads (the server runs them in a pool)
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
