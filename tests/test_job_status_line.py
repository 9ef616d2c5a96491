"""The panel's line for a shot's job: queue position and worker from a team server, unchanged otherwise."""

import shared_schema as wire
from blender_addon.core.job_status import job_status_line


def _job(state, **fields) -> wire.Job:
    return wire.Job(id="j1", kind=wire.JobKind.RENDER, state=state, **fields)


def test_a_queued_job_says_how_many_wait_before_it():
    assert job_status_line("3", _job(wire.JobState.QUEUED, queue_position=3), "queued") == "shot 3: queued, 2 jobs ahead"
    assert job_status_line("3", _job(wire.JobState.QUEUED, queue_position=2), "queued") == "shot 3: queued, 1 job ahead"
    assert job_status_line("3", _job(wire.JobState.QUEUED, queue_position=1), "queued") == "shot 3: queued, next"


def test_a_running_job_names_the_worker_that_renders_it():
    job = _job(wire.JobState.RUNNING, worker=wire.WorkerRef(host="gpu-box-2", device="cuda:0", name="gpu-box-2:77"))
    assert job_status_line("1A", job, "drawing poses") == "shot 1A: drawing poses (on gpu-box-2, cuda:0)"


def test_an_embedded_server_job_reads_as_before():
    assert job_status_line("2", _job(wire.JobState.RUNNING), "shading depth") == "shot 2: shading depth"
    assert job_status_line("2", _job(wire.JobState.QUEUED), "") == "shot 2: waiting"
    assert job_status_line("2", None, "") == "shot 2: waiting"


def test_a_1_2_server_job_without_the_team_fields_decodes_and_reads_as_before():
    old = {"id": "j1", "kind": "RENDER", "state": "RUNNING", "progress": 0.5, "message": "x"}
    assert job_status_line("2", wire.from_dict(wire.Job, old), "x") == "shot 2: x"
