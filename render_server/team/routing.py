"""Which Celery queue and priority a job goes to (applied by Celery's router, celery_app.py).

Renders are queued by backend and, for diffusers, by model family, so a worker that has SDXL
loaded listens on render.sdxl and takes those jobs; LoRA training has a queue of its own so
renders never wait behind it. Redis priorities: a lower number goes first.
"""

from __future__ import annotations

from shared_schema import JobKind

TRAINING_QUEUE = "training"
REFINE_PRIORITY = 0  # a director's refine (a job with a parent take)
RENDER_PRIORITY = 5  # a first take, a batch re-render
TRAINING_PRIORITY = 9


def queue_for(kind: str, backend: str, family: str = "") -> str:
    if kind == JobKind.TRAIN_LORA.value:
        return TRAINING_QUEUE
    if backend == "diffusers":
        return f"render.{family or 'sd15'}"
    return f"render.{backend or 'previs'}"


def priority_for(kind: str, parent_job_id: str) -> int:
    if kind == JobKind.TRAIN_LORA.value:
        return TRAINING_PRIORITY
    return REFINE_PRIORITY if parent_job_id else RENDER_PRIORITY


def route_job(name, args, kwargs, options, task=None, **_):
    """A Celery router (``task_routes``): the queue from the job's kind, backend and family."""
    if name != "beatboard.run_job":
        return None
    return {"queue": queue_for(kwargs.get("kind", ""), kwargs.get("backend", ""), kwargs.get("family", ""))}
