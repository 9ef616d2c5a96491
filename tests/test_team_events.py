"""Job events over Redis pub/sub: a long-poll in one API process wakes on a commit made in another."""

import asyncio
import time

from render_server.storage.job_store import JobStore
from render_server.team.job_events import JobEventBus
from tests.server_helpers import render_request


def test_a_commit_in_one_process_wakes_the_waiters_of_another_without_polling(tmp_path, redis_server):
    writer_store, reader_store = JobStore(tmp_path / "jobs.sqlite3"), JobStore(tmp_path / "jobs.sqlite3")
    writer, reader = JobEventBus(redis_server.url, writer_store), JobEventBus(redis_server.url, reader_store)
    writer.start()
    reader.start()
    try:
        job = writer_store.create(render_request(), "previs")
        time.sleep(0.3)  # both subscribed

        async def wait_for_wake() -> float:
            loop = asyncio.get_running_loop()
            woken = asyncio.Event()
            unwatch = reader_store.watch(job.id, lambda: loop.call_soon_threadsafe(woken.set))
            try:
                start = loop.time()
                await loop.run_in_executor(None, writer_store.progress, job.id, 0.5, "half")
                await asyncio.wait_for(woken.wait(), timeout=5.0)  # no RECHECK poll: only the bus wakes it
                return loop.time() - start
            finally:
                unwatch()

        asyncio.run(wait_for_wake())
        assert [e.message for e in reader_store.events(job.id)][-1] == "half"
    finally:
        writer.stop()
        reader.stop()
        writer_store.close()
        reader_store.close()
