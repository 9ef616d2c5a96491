"""The one Celery application the API (publishing) and the workers (consuming) configure alike."""

from __future__ import annotations

from celery import Celery

from .routing import route_job

RUN_JOB = "beatboard.run_job"


def make_celery(broker_url: str, visibility_timeout_s: float = 3600.0, restore_interval_s: float = 60.0) -> Celery:
    app = Celery("beatboard", broker=broker_url)
    app.conf.update(
        task_routes=(route_job,),
        task_default_queue="render.previs",
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results go to the API (the job store), not to a result backend
        # One job at a time per process, acknowledged when it ends: a worker killed mid-job
        # leaves its message unacknowledged and Redis hands it out again after the timeout.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout_s,
            "unacked_restore_interval": restore_interval_s,
            "unacked_restore_throttle": 1,
            # Redis has no native priorities: kombu keeps a list per step and reads the lower first.
            "priority_steps": list(range(10)),
            "sep": ":",
            "queue_order_strategy": "priority",
        },
        worker_hijack_root_logger=False,
        worker_proc_alive_timeout=60.0,  # a pool process on a loaded machine may take a while to say it is up
    )
    return app
