"""Boards on the server through the real app: takes linked by parent, notes in force that
change later prompts, the frame cache, and everything surviving a restart."""

import time

import pytest
from fastapi.testclient import TestClient

import shared_schema as wire
from render_server.app import create_app
from render_server.backends.previs import PrevisBackend
from render_server.backends.registry import BackendRegistry
from render_server.settings import Settings
from tests.server_helpers import render_request


class CountingPrevis(PrevisBackend):
    def __init__(self):
        super().__init__()
        self.renders = 0

    def render(self, request, ctx):
        self.renders += 1
        return super().render(request, ctx)


def _app(data_dir, backend):
    return TestClient(create_app(Settings(data_dir=data_dir), backends=BackendRegistry({"previs": backend}, "previs")))


def _wait(client, job_id):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in ("DONE", "FAILED", "CANCELLED"):
            assert job["state"] == "DONE", job
            return job
        time.sleep(0.03)
    raise AssertionError("job did not finish")


def _shot_request(board_id, number, **overrides):
    request = render_request(width=96, height=54, shot_number=number, board_id=board_id, prompt="")
    request.description = wire.ShotDescription(action=f"shot {number}: Mara at the table", location="FERRY CABIN",
                                               int_ext=wire.IntExt.INT, time_of_day="MORNING")
    for key, value in overrides.items():
        setattr(request, key, value)
    return wire.to_dict(request)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("boards")
    backend = CountingPrevis()
    with _app(data, backend) as client:
        shots = [{"number": str(n), "beat": {"index": n, "action": f"beat {n}", "characters": ["MARA", "TOMAS"]}}
                 for n in range(1, 4)]
        board = client.post("/v1/boards", json={"title": "The Last Ferry", "script_digest": "abc", "shots": shots})
        assert board.status_code == 201
        board_id = board.json()["id"]
        first = {n: _wait(client, client.post("/v1/jobs", json=_shot_request(board_id, n)).json()["id"])
                 for n in ("1", "2", "3")}
        yield {"client": client, "board": board_id, "first": first, "backend": backend, "data": data}


def test_a_shot_note_is_kept_and_its_take_links_to_the_one_it_refines(world):
    client, board_id, first = world["client"], world["board"], world["first"]
    note = client.post(f"/v1/boards/{board_id}/notes",
                       json={"text": "Mara looks more frightened", "scope": "SHOT", "shot_number": "3"}).json()
    assert note["shots"] == ["3"]
    assert note["change"]["actor"] == "MARA" and note["change"]["emotion"] == "fear"
    accepted = client.post("/v1/jobs", json=_shot_request(board_id, "3", parent_job_id=first["3"]["id"],
                                                          note_id=note["id"], note=note["text"])).json()
    take = _wait(client, accepted["id"])
    assert "Mara looking (frightened)1.2" in take["frames"][0]["prompt"]
    assert take["frames"][0]["seed"] == first["3"]["frames"][0]["seed"] and take["parent_job_id"] == first["3"]["id"]
    board = client.get(f"/v1/boards/{board_id}").json()
    takes = {s["number"]: s["takes"] for s in board["shots"]}
    assert [len(takes[n]) for n in ("1", "2", "3")] == [1, 1, 2]
    assert takes["3"][1]["parent_job_id"] == first["3"]["id"] and takes["3"][1]["note_id"] == note["id"]
    assert [n["text"] for n in board["shots"][2]["notes"]] == ["Mara looks more frightened"]
    assert board["shots"][0]["notes"] == [], "a shot note stays on its shot"
    # Feedback on the refined take records the note that produced it; a pick becomes the shot's pick.
    said = client.post(f"/v1/jobs/{accepted['id']}/frames/0/feedback",
                       json={"shot_number": "3", "picked": True, "rating": 4})
    assert said.status_code == 200 and said.json()["note_id"] == note["id"]
    assert client.get(f"/v1/boards/{board_id}").json()["shots"][2]["pick_job"] == accepted["id"]
    # A shot note sent as feedback is kept in force on the board, no longer dropped.
    kept = client.post(f"/v1/jobs/{accepted['id']}/frames/0/feedback",
                       json={"shot_number": "3", "note": "add fog", "scope": "SHOT"}).json()["note_kept"]
    shot3 = client.get(f"/v1/boards/{board_id}").json()["shots"][2]
    assert kept and any(n["id"] == kept and n["change"]["weather"] == "fog" for n in shot3["notes"])
    client.delete(f"/v1/notes/{kept}")


def test_a_board_note_applies_to_every_later_render_until_removed(world):
    client, board_id = world["client"], world["board"]
    note = client.post(f"/v1/boards/{board_id}/notes", json={"text": "it's evening, not morning", "scope": "BOARD"})
    note = note.json()
    assert note["change"]["time_of_day"] == "EVENING" and note["shots"] == ["1", "2", "3"]
    for number in ("1", "2"):
        prompt = _wait(client, client.post("/v1/jobs", json=_shot_request(board_id, number)).json()["id"])
        prompt = prompt["frames"][0]["prompt"]
        assert "evening" in prompt and "morning" not in prompt
    board = client.get(f"/v1/boards/{board_id}").json()
    assert [n["id"] for n in board["notes"]] == [note["id"]]
    assert board["shots"][2]["beat"]["time_of_day"] == "EVENING", "the board's beats follow the note"
    assert client.delete(f"/v1/notes/{note['id']}").json()["active"] is False
    prompt = _wait(client, client.post("/v1/jobs", json=_shot_request(board_id, "1", seed=99)).json()["id"])
    assert "morning" in prompt["frames"][0]["prompt"]
    assert client.get(f"/v1/boards/{board_id}").json()["notes"] == []


def test_an_unchanged_request_is_answered_from_the_frame_cache_without_the_backend(world):
    client, board_id, backend = world["client"], world["board"], world["backend"]
    body = _shot_request(board_id, "2", seed=4242)
    first = _wait(client, client.post("/v1/jobs", json=body).json()["id"])
    renders = backend.renders
    again = client.post("/v1/jobs", json=body).json()
    assert again["cached_from"] == first["id"] and again["state"] == "DONE"
    assert backend.renders == renders, "no backend call"
    a = client.get(first["frames"][0]["url"]).content
    b = client.get(client.get(f"/v1/jobs/{again['id']}").json()["frames"][0]["url"]).content
    assert a == b
    changed = client.post("/v1/jobs", json=_shot_request(board_id, "2", seed=4243)).json()
    assert changed["cached_from"] == ""
    _wait(client, changed["id"])


def test_a_new_revision_of_the_backends_drawing_renders_again(world):
    # An upgraded server whose previs draws differently (skies, say) must not answer with frames
    # of the old look.
    client, board_id, backend = world["client"], world["board"], world["backend"]
    body = _shot_request(board_id, "3", seed=777)
    first = _wait(client, client.post("/v1/jobs", json=body).json()["id"])
    renders = backend.renders
    backend.revision = "next"
    try:
        again = client.post("/v1/jobs", json={**body, "parent_job_id": first["id"]}).json()
        assert again["cached_from"] == "" and _wait(client, again["id"])
        assert backend.renders == renders + 1
        once_more = client.post("/v1/jobs", json=body).json()
        assert once_more["cached_from"] == again["id"], "the new revision's frame is the cache from now on"
    finally:
        del backend.revision


def test_bad_notes_and_boards_are_refused_with_what_to_fix(world):
    client, board_id = world["client"], world["board"]
    missing = client.post(f"/v1/boards/{board_id}/notes", json={"text": "wider", "scope": "SHOT", "shot_number": "9"})
    assert missing.status_code == 422 and "1, 2, 3" in missing.json()["hint"]
    no_actor = client.post(f"/v1/boards/{board_id}/notes", json={"text": "sadder", "scope": "ACTOR",
                                                                 "shot_number": "1"})
    assert no_actor.status_code == 422 and "MARA" in no_actor.json()["hint"]
    assert client.get("/v1/boards/nope").status_code == 404
    stray = client.post("/v1/jobs", json=_shot_request("nope", "1"))
    assert stray.status_code == 404 and "Render Storyboard" in stray.json()["hint"]


def test_notes_and_takes_survive_a_server_restart(world):
    client, board_id, data = world["client"], world["board"], world["data"]
    note = client.post(f"/v1/boards/{board_id}/notes", json={"text": "more expressive", "scope": "ACTOR",
                                                             "actor": "MARA", "all_shots": True}).json()
    assert note["shots"] == ["1", "2", "3"] and note["change"]["intensity_delta"] == 0.5
    before = client.get(f"/v1/boards/{board_id}").json()
    client.__exit__(None, None, None)  # stop the server: one server per data folder
    try:
        with _app(data, CountingPrevis()) as restarted:
            after = restarted.get(f"/v1/boards/{board_id}").json()
    finally:
        client.__enter__()  # and start it again for the tests after this one
    assert after == before
    assert any(n["id"] == note["id"] for n in after["shots"][0]["notes"])
