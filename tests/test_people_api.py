"""People, projects and roles against one real server (uvicorn in its own process, BEATBOARD_TOKEN
set as the admin token): the permission matrix (role x route x own/other project), tokens kept
only as digests, revocation on the next request, and project-private actors in casting search."""

from __future__ import annotations

import time

import httpx
import pytest

import shared_schema as wire
from beatboard.server_process import ServerProcess

from .server_helpers import label_mask, render_request

ADMIN_TOKEN = "admin-token-for-the-people-tests-0123"
ROLES = ("viewer", "artist", "director", "admin", "worker")


class Api:
    def __init__(self, url: str, token: str):
        self.client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def __getattr__(self, name):
        return getattr(self.client, name)


def _render(api: Api, **fields) -> dict:
    body = wire.to_dict(render_request(width=64, height=48, **fields))
    accepted = api.post("/v1/jobs", json=body)
    assert accepted.status_code == 202, accepted.text
    for _ in range(300):
        job = api.get(f"/v1/jobs/{accepted.json()['id']}").json()
        if job["state"] in ("DONE", "FAILED"):
            return job
        time.sleep(0.05)
    raise AssertionError("the render did not finish")


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    data = tmp_path_factory.mktemp("team-server")
    with ServerProcess(data, env={"BEATBOARD_TOKEN": ADMIN_TOKEN, "BEATBOARD_REWARD_RETRAIN_EVERY": "1000"}) as server:
        admin = Api(server.url, ADMIN_TOKEN)
        tokens = {"admin": ADMIN_TOKEN}
        for role in ROLES[:3] + ("worker",):
            made = admin.post("/v1/users", json={"name": f"{role}-1", "role": role})
            assert made.status_code == 201, made.text
            tokens[role] = made.json()["token"]
        assert admin.post("/v1/users", json={"name": "extra-1", "role": "viewer"}).status_code == 201
        projects = {}
        for scope, name in (("own", "The Last Ferry"), ("other", "Under NDA")):
            projects[scope] = admin.post("/v1/projects", json={"name": name}).json()["id"]
        for role in ROLES[:3]:
            added = admin.post(f"/v1/projects/{projects['own']}/members", json={"user": f"{role}-1", "role": role})
            assert added.status_code == 201, added.text
        things = {}
        for scope, project in projects.items():
            board = admin.post("/v1/boards", json={"title": scope, "project": project, "shots": [{"number": "1"}]})
            assert board.status_code == 201 and board.json()["project"] == project
            job = _render(admin, board_id=board.json()["id"])
            actor = admin.post("/v1/actors", json={"name": f"Actor {scope}", "project": project}).json()
            things[scope] = {"project": project, "board": board.json()["id"], "job": job["id"], "actor": actor["id"]}
        yield {"server": server, "tokens": tokens, "things": things, "data": data,
               "api": {role: Api(server.url, token) for role, token in tokens.items()}}


# (what, method, path, body, the least role that may) - {project}, {board}, {job}, {actor} are the
# own or the other project's.
MATRIX = [
    ("read a board", "GET", "/v1/boards/{board}", None, "viewer"),
    ("wait for a board change", "GET", "/v1/boards/{board}/changes", None, "viewer"),
    ("read a job", "GET", "/v1/jobs/{job}", None, "viewer"),
    ("see a frame", "GET", "/v1/jobs/{job}/frames/0.png", None, "viewer"),
    ("make a board", "POST", "/v1/boards", {"title": "new", "project": "{project}"}, "artist"),
    ("render a shot", "POST", "/v1/jobs", "render", "artist"),
    ("note a board", "POST", "/v1/boards/{board}/notes", {"text": "wider", "scope": "SHOT", "shot_number": "1"},
     "artist"),
    ("note a frame", "POST", "/v1/jobs/{job}/frames/0/feedback", {"shot_number": "1", "note": "warmer"}, "artist"),
    ("cast a character", "PUT", "/v1/castings/MARA", {"character": "MARA", "actor_id": "{actor}",
                                                      "project": "{project}"}, "artist"),
    ("search actors", "POST", "/v1/actors/search", {"text": "a ferry captain", "project": "{project}"}, "artist"),
    ("read an actor", "GET", "/v1/actors/{actor}", None, "artist"),
    ("rank variations", "GET", "/v1/jobs/{job}/ranking", None, "artist"),
    ("pick and rate a frame", "POST", "/v1/jobs/{job}/frames/0/feedback",
     {"shot_number": "1", "rating": 4, "picked": True}, "director"),
    ("approve a frame", "POST", "/v1/jobs/{job}/frames/0/feedback",
     {"shot_number": "1", "verdict": "APPROVE"}, "director"),
    ("train the reward model", "POST", "/v1/reward/train?project={project}", None, "director"),
    ("change a private actor", "PATCH", "/v1/actors/{actor}", {"description": "older"}, "director"),
    ("read an actor's notes in a project", "GET", "/v1/actors/{actor}/notes?project={project}", None, "artist"),
    ("set an actor's hints in a project", "PATCH", "/v1/actors/{actor}?project={project}",
     {"prompt_hints": ["wary"]}, "director"),
    ("read the activity", "GET", "/v1/projects/{project}/activity", None, "director"),
    ("add a member", "POST", "/v1/projects/{project}/members", {"user": "extra-1", "role": "viewer"}, "admin"),
]
RANK = {"viewer": 0, "artist": 1, "director": 2, "admin": 3}


def _fill(value, things: dict):
    if isinstance(value, str):
        return value.format(**things)
    if isinstance(value, dict):
        return {k: _fill(v, things) for k, v in value.items()}
    return value


def _expected(role: str, scope: str, need: str) -> str:
    if role == "worker":
        return "403"  # a worker reaches /v1/worker/* only
    if scope == "other" and role != "admin":
        return "404"  # not a member: as if it did not exist
    return "allowed" if RANK[role] >= RANK[need] else "403"


def _outcome(status: int) -> str:
    return str(status) if status in (401, 403, 404) else "allowed"


def test_the_permission_matrix(team):
    """Each role on each route, on a project it is in ('own') and one it is not ('other')."""
    seen, wrong = [], []
    for what, method, path, body, need in MATRIX:
        for scope in ("own", "other"):
            things = team["things"][scope]
            if body == "render":
                payload = wire.to_dict(render_request(width=64, height=48, board_id=things["board"]))
            else:
                payload = _fill(body, things)
            for role in ROLES:
                response = team["api"][role].request(method, _fill(path, things), json=payload)
                got, expected = _outcome(response.status_code), _expected(role, scope, need)
                assert response.status_code < 500, (what, role, scope, response.text)
                seen.append((what, scope, role, got))
                if got != expected:
                    wrong.append(f"{what} / {scope} / {role}: got {response.status_code} {response.text[:200]}, "
                                 f"expected {expected}")
                if got == "403" and role != "worker":
                    assert f"the {need} role" in response.json()["message"], response.text  # says what is needed
    assert not wrong, "\n".join(wrong)
    assert len(seen) == len(MATRIX) * 2 * len(ROLES)


def test_a_404_for_another_project_reads_exactly_like_a_missing_thing(team):
    viewer = team["api"]["viewer"]
    hidden = viewer.get(f"/v1/boards/{team['things']['other']['board']}").json()
    missing = viewer.get("/v1/boards/000000000000").json()
    assert hidden["code"] == missing["code"] == "not_found"
    assert hidden["hint"] == missing["hint"]


def test_lists_show_only_your_projects(team):
    things = team["things"]
    for role in ("viewer", "artist", "director"):
        api = team["api"][role]
        projects = {p["id"]: p["role"] for p in api.get("/v1/projects").json()}
        assert projects == {"default": role, things["own"]["project"]: role}
        jobs = {j["id"] for j in api.get("/v1/jobs").json()}
        assert things["own"]["job"] in jobs and things["other"]["job"] not in jobs
    assert things["other"]["project"] in {p["id"] for p in team["api"]["admin"].get("/v1/projects").json()}
    artist_actors = {a["id"] for a in team["api"]["artist"].get("/v1/actors").json()}
    assert things["own"]["actor"] in artist_actors and things["other"]["actor"] not in artist_actors


def test_the_worker_token_reaches_the_worker_routes_and_nothing_else(team):
    worker = team["api"]["worker"]
    assert worker.get("/v1/health").status_code == 200
    # past the guard and the role check: this embedded server has no team queue to serve
    assert worker.get("/v1/worker/config").json()["code"] == "not_team_mode"
    refused = worker.get("/v1/projects")
    assert refused.status_code == 403 and "/v1/worker/" in refused.json()["message"]
    for role in ("viewer", "artist", "director"):  # people cannot pose as workers and write frames
        answer = team["api"][role].post("/v1/worker/jobs/x/claim", json={"worker": {"host": "h"}})
        assert answer.status_code == 403 and "worker role" in answer.json()["message"], role
        # nor read an actor's training crops, nor plant a LoRA, nor take a render's LoRA file
        crops = team["api"][role].get("/v1/worker/jobs/x/training", params={"attempt": 1})
        lora = team["api"][role].put("/v1/worker/jobs/x/training/lora", params={"attempt": 1}, content=b"x",
                                     headers={"Content-Type": "application/octet-stream"})
        render_lora = team["api"][role].get("/v1/worker/jobs/x/loras/MARA@v1", params={"attempt": 1})
        assert (crops.status_code, lora.status_code, render_lora.status_code) == (403, 403, 403), role
    assert worker.get("/v1/worker/jobs/x/training", params={"attempt": 1}).json()["code"] == "not_team_mode"


def test_the_activity_names_who_wrote_what(team):
    things = team["things"]["own"]
    team["api"]["artist"].post(f"/v1/boards/{things['board']}/notes",
                               json={"text": "she looks up", "scope": "SHOT", "shot_number": "1"})
    activity = team["api"]["director"].get(f"/v1/projects/{things['project']}/activity").json()
    assert activity[0]["user"] == "artist-1" and activity[0]["action"] == "note.add"
    assert {"admin"} <= {a["user"] for a in activity if a["action"] == "board.create"}
    board = team["api"]["viewer"].get(f"/v1/boards/{things['board']}").json()
    authors = {n["text"]: n["author"] for n in board["shots"][0]["notes"]}
    assert authors["she looks up"] == "artist-1"


def test_tokens_are_kept_only_as_digests(team):
    import hashlib

    stored = b"".join(p.read_bytes() for p in team["data"].glob("people.sqlite3*"))
    for role in ("viewer", "artist", "director", "worker"):
        token = team["tokens"][role]
        assert token.encode() not in stored
        assert token.split("_", 1)[1].encode() not in stored  # nor its random part
        assert hashlib.sha256(token.encode()).hexdigest().encode() in stored
    for path in team["data"].iterdir():
        if path.is_file():
            assert team["tokens"]["artist"].encode() not in path.read_bytes(), path


def test_a_revoked_token_is_refused_on_the_next_request(team):
    admin = team["api"]["admin"]
    token = admin.post("/v1/users", json={"name": "leaving", "role": "artist"}).json()["token"]
    leaving = Api(team["server"].url, token)
    assert leaving.get("/v1/projects").status_code == 200
    assert admin.delete("/v1/users/leaving").status_code == 204
    refused = leaving.get("/v1/projects")
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    assert leaving.get("/v1/boards/whatever").status_code == 401
    names = {u["name"]: u["revoked"] for u in admin.get("/v1/users").json()}
    assert names["leaving"] is True and names["artist-1"] is False


def test_people_are_managed_only_by_admins(team):
    director = team["api"]["director"]
    refused = director.post("/v1/users", json={"name": "sneaky", "role": "admin"})
    assert refused.status_code == 403 and "admin" in refused.json()["message"]
    assert director.post("/v1/projects", json={"name": "Mine"}).status_code == 403
    bad_role = team["api"]["admin"].post("/v1/users", json={"name": "x1", "role": "producer"})
    assert bad_role.status_code == 422 and "director" in bad_role.json()["hint"]
    twice = team["api"]["admin"].post("/v1/users", json={"name": "artist-1", "role": "artist"})
    assert twice.status_code == 409 and "revoke" in twice.json()["hint"]
    token = team["api"]["admin"].post("/v1/users", json={"name": "temp-1", "role": "viewer"}).json()["token"]
    temp = Api(team["server"].url, token)
    assert [p["id"] for p in temp.get("/v1/projects").json()] == ["default"]
    assert director.delete("/v1/projects/default/members/temp-1").status_code == 403
    left = team["api"]["admin"].delete("/v1/projects/default/members/temp-1")
    assert left.status_code == 200 and "temp-1" not in {m["user"] for m in left.json()["members"]}
    assert temp.get("/v1/projects").json() == []
    assert temp.get(f"/v1/jobs/{team['things']['own']['job']}").status_code == 404


def test_a_private_actor_never_appears_in_another_projects_casting_search(team):
    admin, things = team["api"]["admin"], team["things"]
    lookalike = admin.post("/v1/actors", json={"name": "NDA Lookalike", "description": "a tall ferry captain "
                                               "in a red coat", "project": things["other"]["project"]}).json()
    baker = admin.post("/v1/actors", json={"name": "Studio Baker",
                                           "description": "a short baker with flour on his hands"}).json()
    query = {"text": "a tall ferry captain in a red coat", "k": 100}
    inside = admin.post("/v1/actors/search", json={**query, "project": things["other"]["project"]}).json()
    assert inside["matches"][0]["actor"]["id"] == lookalike["id"]  # found where it belongs, first
    for role in ("artist", "admin"):
        outside = team["api"][role].post("/v1/actors/search", json={**query, "project": things["own"]["project"]})
        names = [m["actor"]["name"] for m in outside.json()["matches"]]
        assert "Studio Baker" in names and "NDA Lookalike" not in names, (role, names)
    # A studio actor made private later leaves the other projects' searches from then on.
    assert admin.patch(f"/v1/actors/{baker['id']}", json={"project": things["other"]["project"]}).status_code == 200
    later = team["api"]["artist"].post("/v1/actors/search", json={**query, "project": things["own"]["project"]})
    assert "Studio Baker" not in [m["actor"]["name"] for m in later.json()["matches"]]
    cast = admin.put("/v1/castings/MARA", json={"character": "MARA", "actor_id": lookalike["id"],
                                                "project": things["own"]["project"]})
    assert cast.status_code == 404
    assert team["api"]["artist"].get(f"/v1/actors/{lookalike['id']}").status_code == 404


def test_the_add_on_client_names_its_project_and_follows_a_board(team):
    """The add-on's bpy-free client: what it creates lands in its project; a board change wakes its long-poll."""
    import threading

    from blender_addon.core.board_watch import BoardWatch
    from blender_addon.core.client import ServerClient, ServerError

    own = team["things"]["own"]
    client = ServerClient(base_url=team["server"].url, token=team["tokens"]["artist"], project=own["project"])
    board = client.create_board(wire.BoardCreate(title="from Blender", shots=[wire.BoardShotIn("1")]))
    assert board.project == own["project"]
    accepted = client.submit(render_request(width=64, height=48))  # no board: the client's project
    assert client.job(accepted.id).project == own["project"]
    client.cast("MARA", own["actor"])
    assert client.castings()["MARA"] == own["actor"]
    assert team["api"]["admin"].get("/v1/castings").json() == []  # nothing leaked into the default project
    elsewhere = ServerClient(base_url=team["server"].url, token=team["tokens"]["artist"],
                             project=team["things"]["other"]["project"])
    try:
        elsewhere.create_board(wire.BoardCreate(title="nope"))
        raise AssertionError("a board in a project the artist is not in was made")
    except ServerError as exc:
        assert exc.status == 404
    watch = BoardWatch(client, board.id, board.revision, wait=2.0).start()  # short: the server stops sooner
    threading.Timer(0.3, lambda: team["api"]["director"].post(
        f"/v1/boards/{board.id}/notes", json={"text": "tighter", "scope": "SHOT", "shot_number": "1"})).start()
    deadline = time.monotonic() + 20
    seen = []
    while time.monotonic() < deadline and not seen:
        seen = watch.drain()
        time.sleep(0.05)
    watch.stop()
    assert seen and [(n.text, n.author) for n in seen[0].shots[0].notes] == [("tighter", "director-1")]
    assert seen[0].revision > board.revision


def test_beatboard_users_goes_through_the_server_that_holds_the_data_folder(team, capsys, monkeypatch):
    from beatboard.cli import main as cli

    monkeypatch.delenv("BEATBOARD_TOKEN", raising=False)
    folder = ["--data-dir", str(team["data"])]
    assert cli(["users", "add", "cli-1", "--role", "viewer", *folder]) == 1
    assert "bearer token" in capsys.readouterr().err  # no token: refused by the server, saying why
    assert cli(["users", "add", "cli-1", "--role", "viewer", *folder, "--token", team["tokens"]["artist"]]) == 1
    assert "admin role" in capsys.readouterr().err
    assert cli(["users", "add", "cli-1", "--role", "viewer", *folder, "--token", ADMIN_TOKEN]) == 0
    token = next(line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("bb_"))
    assert Api(team["server"].url, token).get("/v1/projects").status_code == 200
    assert cli(["users", "revoke", "cli-1", *folder, "--token", ADMIN_TOKEN]) == 0
    assert Api(team["server"].url, token).get("/v1/projects").status_code == 401
    assert cli(["users", "list", *folder, "--token", ADMIN_TOKEN]) == 0
    listed = {line.split()[0]: line.split()[2] for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert listed["cli-1"] == "revoked" and listed["director-1"] == "active"


def test_an_actor_name_is_taken_only_by_actors_you_can_see(team):
    """A name another production's private actor has is free to you: a 409 would reveal that actor."""
    things, director, admin = team["things"], team["api"]["director"], team["api"]["admin"]
    studio = director.post("/v1/actors", json={"name": "actor OTHER"})  # "Actor other" is private to "other"
    assert studio.status_code == 201, studio.text
    assert director.get("/v1/actors/Actor other").json()["id"] == studio.json()["id"]
    # Inside its project the private actor shadows its studio-wide namesake.
    inside = admin.get("/v1/actors/Actor other", params={"project": things["other"]["project"]}).json()
    assert inside["id"] == things["other"]["actor"]
    # Names the caller can see stay unique: the studio library's, and their own project's private ones.
    twice = director.post("/v1/actors", json={"name": "Actor Other", "project": things["own"]["project"]})
    assert twice.status_code == 409 and twice.json()["code"] == "conflict"
    assert director.post("/v1/actors", json={"name": "Actor own"}).status_code == 409
    renamed = director.patch(f"/v1/actors/{studio.json()['id']}", json={"name": "Actor own"})
    assert renamed.status_code == 409
    assert director.patch(f"/v1/actors/{studio.json()['id']}", json={"name": "Harbour Master"}).status_code == 200


def test_notes_and_hints_on_a_studio_actor_stay_in_the_project_they_were_given_in(team):
    things, admin, director = team["things"], team["api"]["admin"], team["api"]["director"]
    pilot = admin.post("/v1/actors", json={"name": "Studio Pilot"}).json()
    scene = dict(actors=[wire.ActorPlacement(name="PILOT")],
                 conditioning=wire.Conditioning(masks=label_mask(32, 24, ["PILOT"], [(8, 2, 24, 22)])))
    for scope in ("own", "other"):
        cast = admin.put("/v1/castings/PILOT", json={"character": "PILOT", "actor_id": pilot["id"],
                                                      "project": things[scope]["project"]})
        assert cast.status_code == 200, cast.text
    job = _render(director, board_id=things["own"]["board"], **scene)
    said = [director.post(f"/v1/jobs/{job['id']}/frames/0/feedback",
                          json={"shot_number": "1", "note": note, "scope": "ACTOR", "actor": "PILOT"}).json()
            for note in ("More weathered!", "more weathered", "a bit more weathered")]
    assert said[-1]["hints_added"] == ["Studio Pilot: more weathered"], said
    url = f"/v1/actors/{pilot['id']}"
    own, other = {"project": things["own"]["project"]}, {"project": things["other"]["project"]}
    assert admin.get(url, params=own).json()["prompt_hints"] == ["more weathered"]
    assert admin.get(url, params=other).json()["prompt_hints"] == []
    assert len(director.get(f"{url}/notes", params=own).json()) == 3
    assert admin.get(f"{url}/notes", params=other).json() == []
    assert "weathered" in _render(director, board_id=things["own"]["board"], **scene)["frames"][0]["prompt"]
    elsewhere = _render(admin, board_id=things["other"]["board"], **scene)["frames"][0]["prompt"]
    assert "Pilot" in elsewhere and "weathered" not in elsewhere
    # A director sets hints in their project only; another project's stay as they are.
    assert director.patch(url, params=other, json={"prompt_hints": ["x"]}).status_code == 404
    assert director.patch(url, params=own, json={"prompt_hints": []}).json()["prompt_hints"] == []


def test_a_403_names_the_project_by_its_name_and_gives_its_id_in_the_hint(team):
    own = team["things"]["own"]
    refused = team["api"]["artist"].patch(f"/v1/actors/{own['actor']}", json={"description": "older"})
    assert refused.status_code == 403
    body = refused.json()
    assert "the director role in project 'The Last Ferry'" in body["message"] and own["project"] not in body["message"]
    assert f"/v1/projects/{own['project']}/members" in body["hint"] and "director" in body["hint"]


def test_a_user_added_for_one_project_sees_only_that_project(team, capsys):
    from beatboard.cli import main as cli

    own = team["things"]["own"]["project"]
    admin = team["api"]["admin"]
    missing = admin.post("/v1/users", json={"name": "lost-1", "role": "artist", "project": "No Such Film"})
    assert missing.status_code == 404 and "lost-1" not in {u["name"] for u in admin.get("/v1/users").json()}
    assert admin.post("/v1/users", json={"name": "w-2", "role": "worker", "project": own}).status_code == 422
    assert cli(["users", "add", "ferry-1", "--role", "artist", "--project", "The Last Ferry",
                "--server", team["server"].url, "--token", ADMIN_TOKEN]) == 0
    token = next(line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("bb_"))
    assert {p["id"]: p["role"] for p in Api(team["server"].url, token).get("/v1/projects").json()} == {own: "artist"}
