import json

import pytest

import shared_schema as wire
from beatboard.schema_export import SCHEMA_FILE, generate


def _full_request() -> wire.RenderRequest:
    return wire.RenderRequest(
        shot_number="1A", width=768, height=432, prompt="a pier at night", seed=7, variations=2,
        actors=[wire.ActorPlacement(name="MARA", color=(0.1, 0.2, 0.3), location=(1.0, 2.0, 0.0))],
        camera=wire.CameraSpec(focal_length_mm=35.0, sensor_width_mm=36.0, location=(0.0, -5.0, 1.6),
                               rotation_euler=(1.57, 0.0, 0.0), sensor_fit=wire.SensorFit.HORIZONTAL),
        conditioning=wire.Conditioning(
            depth=wire.DepthMap(width=2, height=1, near=0.5, far=60.0, data_b64="AAAAAA=="),
            poses=[wire.ActorKeypoints(actor="MARA", keypoints=[
                wire.Keypoint(1.5, 2.5, wire.KeypointVisibility.OCCLUDED)])],
            masks=wire.LabelMask(width=2, height=1, labels=["MARA"], data_b64="AAE="),
        ),
    )


def test_render_request_survives_a_json_round_trip():
    request = _full_request()
    text = wire.dumps(request)
    assert wire.loads(wire.RenderRequest, text) == request
    # Enums travel as their string values, tuples as lists.
    data = json.loads(text)
    assert data["conditioning"]["poses"][0]["keypoints"][0]["visibility"] == "OCCLUDED"
    assert data["camera"]["location"] == [0.0, -5.0, 1.6]


def test_every_wire_type_round_trips_with_defaults():
    samples = {
        wire.ErrorBody: wire.ErrorBody("bad_request", "nope", "do this"),
        wire.BeatsRequest: wire.BeatsRequest(script="INT. A - DAY"),
        wire.BeatsResponse: wire.BeatsResponse(beats=[wire.Beat(index=1, action="She runs.",
                                                                 int_ext=wire.IntExt.INT_EXT)]),
        wire.RenderRequest: _full_request(),
        wire.Job: wire.Job(id="x", kind=wire.JobKind.RENDER, state=wire.JobState.FAILED,
                           error=wire.ErrorBody("worker_lost", "lost")),
        wire.JobAccepted: wire.JobAccepted(id="x", state=wire.JobState.QUEUED, url="/v1/jobs/x", events_url="e"),
        wire.JobEvents: wire.JobEvents(job_id="x", state=wire.JobState.DONE, events=[
            wire.JobEvent(seq=1, job_id="x", kind=wire.EventKind.FRAME, at=1.0,
                          frame=wire.Frame(0, "/f.png", 64, 36, 1, "previs"))]),
        wire.Health: wire.Health(version="0", schema_version="1.0", backends=[wire.BackendInfo("previs", True)]),
        wire.ModelsResponse: wire.ModelsResponse(models=[wire.ModelInfo("sd15", "diffusers", "/m", False, "why")],
                                                 loras=["MARA"], schedulers=["euler_a"]),
        wire.Shot: wire.Shot(number="1", beat=wire.Beat(index=1, action="x"), frame_start=1, frame_end=24),
        wire.Feedback: wire.Feedback(shot_number="2", scope=wire.FeedbackScope.BOARD, verdict=wire.Verdict.APPROVE),
        wire.FeedbackResult: wire.FeedbackResult(frame="j/0", profiles_moved=["MARA"], reward={"pairs": 3.0}),
        wire.Ranking: wire.Ranking(job_id="j", order=[1, 0], scores=[0.5, -0.2]),
        wire.Casting: wire.Casting(character="MARA", actor_id="a1"),
        wire.LoraTrainRequest: wire.LoraTrainRequest(steps=10),
        wire.LoraVersion: wire.LoraVersion(actor_id="a1", version=2, name="MARA@v2", path="/l", base_model="/m",
                                           steps=10, status="kept_aside", metrics={"held_out_similarity": 0.4}),
        wire.ActorProfile: wire.ActorProfile(name="MARA", prompt_hints=["red coat"], cast_as=["MARA"]),
        wire.ActorPatch: wire.ActorPatch(description="taller", color=(0.1, 0.2, 0.3)),
        wire.ActorSearch: wire.ActorSearch(text="an old ferryman", k=3),
        wire.ActorMatches: wire.ActorMatches(matches=[wire.ActorMatch(wire.ActorProfile(name="TOMAS"), 0.1)],
                                             model="ViT-B-32:random"),
        wire.NoteChange: wire.NoteChange(actor="MARA", emotion="fear", intensity_delta=0.5, size_steps=1,
                                         angle=wire.CameraAngle.LOW, prompt_terms=["red scarf"]),
        wire.NoteRequest: wire.NoteRequest(text="wider", scope=wire.FeedbackScope.ACTOR, shot_number="3",
                                           actor="MARA", all_shots=True),
        wire.Note: wire.Note(id="n1", text="evening", scope=wire.FeedbackScope.BOARD,
                             change=wire.NoteChange(time_of_day="EVENING"), shots=["1", "2"]),
        wire.BoardCreate: wire.BoardCreate(title="T", shots=[wire.BoardShotIn("1", wire.Beat(index=0, action="x"))]),
        wire.Board: wire.Board(id="b", shots=[wire.BoardShot("1", 0, takes=[wire.Take("j", wire.JobState.DONE,
                                                                                      parent_job_id="p",
                                                                                      author="ann")])], revision=3),
        wire.BoardChanges: wire.BoardChanges(board_id="b", revision=4, changed=True),
        wire.ProjectCreate: wire.ProjectCreate(name="The Last Ferry"),
        wire.MemberRequest: wire.MemberRequest(user="ann", role="director"),
        wire.Project: wire.Project(id="p1", name="Ferry", role="admin", members=[wire.ProjectMember("ann", "viewer")]),
        wire.UserCreate: wire.UserCreate(name="ann", role="artist"),
        wire.UserToken: wire.UserToken(name="ann", role="artist", token="bb_x"),
        wire.UserInfo: wire.UserInfo(name="ann", role="artist", projects={"default": "artist"}),
        wire.ActivityEntry: wire.ActivityEntry(id=1, user="ann", action="note.add", target="b/n", at=1.0),
        wire.WorkerClaim: wire.WorkerClaim(wire.WorkerRef(host="gpu-1", device="cuda:0", name="w1")),
        wire.WorkerTraining: wire.WorkerTraining(actor_id="a1", steps=5, reason="approved"),
        wire.WorkerClaimed: wire.WorkerClaimed(job=wire.Job(id="x", kind=wire.JobKind.RENDER,
                                                            state=wire.JobState.RUNNING), attempt=2, lease_s=30.0,
                                               request=_full_request()),
        wire.WorkerProgress: wire.WorkerProgress(attempt=1, progress=0.5, message="step 2/4"),
        wire.WorkerProgressAnswer: wire.WorkerProgressAnswer(wire.JobState.RUNNING, cancel_requested=True),
        wire.WorkerFinish: wire.WorkerFinish(attempt=1, state=wire.JobState.FAILED,
                                             error=wire.ErrorBody("render_failed", "boom")),
        wire.WorkerHeartbeat: wire.WorkerHeartbeat(queues=["render.previs"], current_job="x", attempt=1),
        wire.WorkerStatus: wire.WorkerStatus(wire.WorkerRef(host="gpu-1"), last_heartbeat=3.0),
        wire.WorkerConfig: wire.WorkerConfig("redis://127.0.0.1:6379/0", 30.0, 60.0, 5.0),
        wire.WorkerTrainingBundle: wire.WorkerTrainingBundle("a1", "MARA", crops=["j1_0.png"], active_lora="MARA@v1",
                                                             next_version=2, clip_model="ViT-B-32"),
        wire.WorkerLoraRegister: wire.WorkerLoraRegister(attempt=1, version=2, source_frames=["j1_0.png"],
                                                         metrics={"held_out_similarity": 0.5}, accepted=True),
    }
    assert set(samples) == set(wire.WIRE_TYPES)
    for cls, sample in samples.items():
        assert wire.loads(cls, wire.dumps(sample)) == sample, cls.__name__


@pytest.mark.parametrize("data, path, problem", [
    ({"shot_number": "1", "width": "wide", "height": 10}, "width", "expected an integer"),
    ({"shot_number": "1", "width": 10}, "height", "is required"),
    ({"shot_number": "1", "width": 10, "height": 10,
      "conditioning": {"poses": [{"actor": "A", "keypoints": [{"x": 1, "y": 2, "visibility": "SEEN"}]}]}},
     "conditioning.poses[0].keypoints[0].visibility", "is not one of"),
])
def test_bad_bodies_name_the_field_that_is_wrong(data, path, problem):
    with pytest.raises(wire.SchemaError) as caught:
        wire.from_dict(wire.RenderRequest, data)
    assert caught.value.path == path
    assert problem in caught.value.problem


def test_committed_json_schema_matches_the_dataclasses():
    assert SCHEMA_FILE.read_text() == generate(), (
        "shared_schema/schema.json is stale: run 'make schema' and commit it")


def test_json_schema_describes_enums_and_required_fields():
    schema = json.loads(SCHEMA_FILE.read_text())
    render = schema["$defs"]["RenderRequest"]
    assert set(render["required"]) == {"shot_number", "width", "height"}
    assert "CU" in schema["$defs"]["ShotSize"]["enum"]


@pytest.mark.parametrize("data, path, problem", [
    ({"seed": -1}, "seed", "at least 0"),
    ({"steps": 1e30}, "steps", "at most 150"),
    ({"guidance_scale": float("nan")}, "guidance_scale", "not a finite number"),
    ({"guidance_scale": float("inf")}, "guidance_scale", "at most 50"),
    ({"prompt": "x" * 4001}, "prompt", "too long: 4001 characters"),
    ({"shot_number": "1\ud800"}, "shot_number", "lone surrogate"),
    ({"control_end": [1.0, 3.0]}, "control_end[1]", "at most 1.0"),
    ({"actors": [{"name": "A", "color": [0, 2, 0]}]}, "actors[0].color[1]", "at most 1.0"),
    ({"conditioning": {"poses": [{"actor": "A", "keypoints": [{"x": 1, "y": 2}] * 3}]}},
     "conditioning.poses[0].keypoints", "too short: 3 items"),
    ({"conditioning": {"masks": {"width": 2, "height": 2, "labels": [str(i) for i in range(4000)],
                                 "data_b64": "AAAA"}}}, "conditioning.masks.labels", "at most 64"),
])
def test_bodies_out_of_bounds_name_the_field_and_the_bound(data, path, problem):
    request = wire.from_dict(wire.RenderRequest, {"shot_number": "1", "width": 64, "height": 64, **data})
    with pytest.raises(wire.SchemaError) as caught:
        wire.check_limits(request)
    assert caught.value.path == path
    assert problem in caught.value.problem


def test_a_body_within_bounds_passes_the_limits():
    wire.check_limits(render_request_sample())


def render_request_sample() -> wire.RenderRequest:
    from tests.server_helpers import render_request

    return render_request(variations=2)


def test_an_older_minor_client_reads_a_newer_servers_job():
    """The minor-version rule: 1.(x+1) adds fields; a 1.x decoder ignores what it does not know."""
    newer_job = {
        "id": "j1", "kind": "RENDER", "state": "DONE", "progress": 1.0, "take_of": "j0",
        "idempotency_key": "k", "board": {"id": "b1", "shots": 3},
        "frames": [{"index": 0, "url": "/v1/jobs/j1/frames/0.png", "width": 64, "height": 36, "seed": 3,
                    "backend": "previs", "rating": 4, "labels": ["MARA"]}],
        "error": {"code": "x", "message": "m", "hint": "h", "docs_url": "https://example.invalid"},
    }
    job = wire.from_dict(wire.Job, newer_job)
    assert job.state is wire.JobState.DONE and job.frames[0].seed == 3 and job.error.hint == "h"
    assert not hasattr(job, "take_of")


def test_decoding_a_response_does_not_apply_request_limits():
    """Limits guard what the server accepts; a client reading a stored actor never trips on them."""
    actor = wire.from_dict(wire.ActorProfile, {"name": "M" * 500, "description": "d" * 9000})
    assert len(actor.name) == 500


def test_the_openapi_and_json_schema_document_the_bounds():
    schema = json.loads(SCHEMA_FILE.read_text())["$defs"]
    render = schema["RenderRequest"]["properties"]
    assert render["seed"]["minimum"] == 0 and render["steps"]["maximum"] == 150
    assert render["prompt"]["maxLength"] == 4000 and render["actors"]["maxItems"] == 64
    assert render["control_end"]["items"]["maximum"] == 1.0 and render["control_end"]["maxItems"] == 2
    assert schema["LabelMask"]["properties"]["labels"]["items"]["maxLength"] == 200
    keypoints = schema["ActorKeypoints"]["properties"]["keypoints"]
    assert keypoints["minItems"] == keypoints["maxItems"] == 18
