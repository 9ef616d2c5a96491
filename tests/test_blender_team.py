"""Two add-on sessions on one project through a real team server: a director's session renders the
board, an artist's session (another scene, its own token) syncs the director's takes, gives a note
and re-renders; the director's note list shows the artist's note with its author as soon as the
server says the board changed (a long-poll, no button), and Sync Takes brings the artist's take."""

import httpx
import pytest

from beatboard.server_process import ServerProcess
from tests.conftest import EXAMPLE, INSTALL_SNIPPET, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]

ADMIN = "admin-token-for-the-team-blender-test"

SESSIONS = """
import time
from bl_ext.user_default.beatboard import board_watch
prefs = bpy.context.preferences.addons[ADDON].preferences
prefs.server_url = {url!r}
a = bpy.context.scene
a.name = "director"
a.render.resolution_x, a.render.resolution_y, a.render.resolution_percentage = 128, 72, 100
pa = a.beatboard
pa.project, pa.output_dir, pa.beat_count = {project!r}, {frames!r} + "/a", 2
prefs.token = {director!r}
bpy.ops.beatboard.load_script(filepath={script!r})
pa.extractor = "offline"
bpy.ops.beatboard.break_into_beats()
bpy.ops.beatboard.block_out_shots(replace_existing=True)
bpy.ops.beatboard.render_storyboard()
shot = pa.beats[0].shot_number

# The artist's session: the same .blend (board, beats, project) before any take was placed in it.
b = a.copy()
b.name = "artist"
for strip in list(compat.strips(b.sequence_editor)):
    b.sequence_editor.strips.remove(strip)
b.beatboard.output_dir = {frames!r} + "/b"

def authors(scene):
    return sorted({{s.get("beatboard_author", "") for s in compat.strips(scene.sequence_editor)}})

out = {{"board": pa.board_id, "director_takes": authors(a)}}
prefs.token = {artist!r}
with bpy.context.temp_override(scene=b):
    bpy.ops.beatboard.sync_takes()
out["artist_synced"] = authors(b)

prefs.token = {director!r}
with bpy.context.temp_override(scene=a):
    bpy.ops.beatboard.watch_board()
out["notes_before"] = [n.text for n in pa.notes_in_force]

prefs.token = {artist!r}
with bpy.context.temp_override(scene=b):
    bpy.ops.beatboard.add_note(text="she looks up at the gulls", scope="SHOT", shot=shot)
out["artist_status"] = b.beatboard.status

# Headless Blender runs no timers: call what the timer calls until the long-poll delivers.
deadline = time.monotonic() + 60
while time.monotonic() < deadline and "she looks up at the gulls" not in [n.text for n in pa.notes_in_force]:
    board_watch.apply_updates()
    time.sleep(0.05)
out["notes_after"] = [[n.text, n.author, n.shot] for n in pa.notes_in_force]
out["director_status"] = pa.status

prefs.token = {director!r}
with bpy.context.temp_override(scene=a):
    bpy.ops.beatboard.sync_takes()
out["director_after_sync"] = authors(a)
board_watch.stop_all()
print(json.dumps(out))
"""


def test_two_sessions_on_one_project_see_each_others_notes_and_takes(extension_zip, tmp_path):
    with ServerProcess(tmp_path / "data", env={"BEATBOARD_TOKEN": ADMIN}) as server:
        admin = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30)
        tokens = {name: admin.post("/v1/users", json={"name": name, "role": role}).json()["token"]
                  for name, role in (("dana", "director"), ("arto", "artist"))}
        project = admin.post("/v1/projects", json={"name": "The Last Ferry"}).json()["id"]
        for name, role in (("dana", "director"), ("arto", "artist")):
            assert admin.post(f"/v1/projects/{project}/members", json={"user": name, "role": role}).status_code == 201
        code = INSTALL_SNIPPET.format(zip=str(extension_zip)) + SESSIONS.format(
            url=server.url, project=project, frames=str(tmp_path / "frames"), script=str(EXAMPLE),
            director=tokens["dana"], artist=tokens["arto"])
        r = run_blender(code, tmp_path, timeout=600)

        assert r["director_takes"] == ["dana"]
        assert r["artist_synced"] == ["dana"]  # the artist's session placed the director's takes
        assert r["notes_before"] == []
        assert ["she looks up at the gulls", "arto"] in [n[:2] for n in r["notes_after"]], r
        assert "arto: she looks up at the gulls" in r["director_status"]
        assert r["director_after_sync"] == ["arto", "dana"]  # and the director's, the artist's re-render
        board = admin.get(f"/v1/boards/{r['board']}").json()
        assert board["project"] == project
        activity = admin.get(f"/v1/projects/{project}/activity").json()
        assert {("arto", "note.add"), ("arto", "job.render"), ("dana", "board.create")} <= {
            (a["user"], a["action"]) for a in activity}
