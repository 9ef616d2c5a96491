"""Write tests/data/legacy_1_2/: a data folder as Beatboard 1.2 (before projects and people) left it.

Run with the code of that release, e.g. from a clean export of commit 22c1cd1:

    git archive 22c1cd1 | tar -x -C /tmp/bb12
    cd /tmp/bb12 && BEATBOARD_CLIP_MODEL=$REPO/tests/tiny_clip.json \\
        $REPO/.venv/bin/python $REPO/tests/data/make_legacy_data.py $REPO/tests/data/legacy_1_2

It starts that release's server on the folder and, over HTTP, makes a board with a note and a
take, an actor cast as MARA, and the director's approval of the take (a rating, an actor
profile move, a frame embedding). tests/test_people_migration.py starts today's server on a
copy and checks all of it arrived in the default project.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from beatboard.server_process import ServerProcess  # noqa: E402 - the release's own, from the cwd
from server_helpers import render_request  # noqa: E402

import shared_schema as wire  # noqa: E402


def call(url: str, method: str, path: str, body=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return json.loads(text) if text else {}


def main(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    with ServerProcess(out) as server:
        url = server.url
        board = call(url, "POST", "/v1/boards", {"title": "The Last Ferry", "project": "ferry.blend",
                                                  "shots": [{"number": "1"}, {"number": "2"}]})
        call(url, "POST", f"/v1/boards/{board['id']}/notes", {"text": "wider", "scope": "SHOT", "shot_number": "1"})
        actor = call(url, "POST", "/v1/actors", {"name": "Mara Vance", "description": "a tired ferry captain"})
        call(url, "PUT", "/v1/castings/MARA", {"character": "MARA", "actor_id": actor["id"]})
        request = render_request(width=64, height=48, board_id=board["id"])
        job = call(url, "POST", "/v1/jobs", wire.to_dict(request))
        for _ in range(200):
            if call(url, "GET", f"/v1/jobs/{job['id']}")["state"] == "DONE":
                break
            time.sleep(0.1)
        call(url, "POST", f"/v1/jobs/{job['id']}/frames/0/feedback",
             {"shot_number": "1", "rating": 4, "verdict": "APPROVE", "picked": True})
    for name in ("server.log", "server.lock"):
        (out / name).unlink(missing_ok=True)
    print(json.dumps({"board": board["id"], "job": job["id"], "actor": actor["id"]}))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
