"""Job events over Redis pub/sub: every commit to the job store is announced on a channel, and
every API process wakes its long-polls and SSE streams on the announcements of the others.

The job store stays the one record (waiters read their events from it); a message only says
"job X changed". With one API process this is a loop back to itself, which it skips.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import uuid

from ..storage.job_store import JobStore

log = logging.getLogger("beatboard.team")

EVENTS_CHANNEL = "beatboard:job-events"


class JobEventBus:
    def __init__(self, broker_url: str, store: JobStore):
        import redis

        self.redis = redis.Redis.from_url(broker_url, socket_timeout=2.0)
        self.store = store
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._listen, name="beatboard-job-events", daemon=True),
                         threading.Thread(target=self._send, name="beatboard-job-announce", daemon=True)]

    def start(self) -> None:
        self.store.on_commit = self._outbox.put  # off the writer's path: a commit never waits on Redis
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.store.on_commit = None
        self._outbox.put(None)

    def _send(self) -> None:
        while (job_ids := self._outbox.get()) is not None:
            while not self._outbox.empty():  # one message for a burst of commits
                more = self._outbox.get()
                if more is None:
                    return
                job_ids |= more
            try:
                self.redis.publish(EVENTS_CHANNEL, json.dumps({"from": self.origin, "jobs": sorted(job_ids)}))
            except Exception as exc:  # Redis down: this process's own waiters were woken already
                log.debug("could not announce job events: %s", exc)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(EVENTS_CHANNEL)
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    data = json.loads(message["data"])
                    if data.get("from") != self.origin:
                        self.store.wake(data.get("jobs", []))
            except Exception as exc:  # Redis restarted: subscribe again
                log.debug("job event listener: %s", exc)
                self._stop.wait(1.0)
