"""One long-poll loop for every route that waits for a change (job events, board revisions)."""

from __future__ import annotations

import asyncio
import random
from typing import Callable, TypeVar

LONG_POLL_MAX_S = 25.0
# Waiters wake on the store's notification; this only bounds how stale a missed one can be
# (a job deleted by `beatboard gc` in another process, say). Jittered, so that waiters that
# started together do not all read SQLite at the same instant.
RECHECK_S = 5.0

T = TypeVar("T")


async def wait_for_change(watch: Callable[[Callable[[], None]], Callable[[], None]], read: Callable[[], T],
                          ready: Callable[[T], bool], wait: float) -> T:
    """``read()`` until ``ready`` says yes or ``wait`` seconds pass. Sleeps on ``watch``'s
    notification (it takes a wake-up callback and answers an unwatch), so a waiting client
    costs nothing until what it waits for changes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    woken = asyncio.Event()
    unwatch = watch(lambda: loop.call_soon_threadsafe(woken.set))
    try:
        while True:
            woken.clear()  # cleared before reading: a change committed after the read wakes us
            value = read()
            remaining = deadline - loop.time()
            if ready(value) or remaining <= 0:
                return value
            try:
                await asyncio.wait_for(woken.wait(), timeout=min(remaining, RECHECK_S * random.uniform(0.8, 1.2)))
            except asyncio.TimeoutError:
                pass
    finally:
        unwatch()
