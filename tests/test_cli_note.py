"""beatboard note on a saved board: the same add-on operator, headless, new takes saved."""

import httpx
import pytest

from beatboard.board import run_board
from beatboard.note import NoteError, apply_note
from tests.conftest import EXAMPLE, run_blender

pytestmark = [pytest.mark.blender, pytest.mark.slow]


def test_note_cli_adds_takes_to_the_saved_board(server, tmp_path, capsys):
    out = tmp_path / "board"
    run_board(EXAMPLE, out, server_url=server.url, width=192, height=108)
    # --project names the board's project; another one is refused before anything is sent.
    other = httpx.post(f"{server.url}/v1/projects", json={"name": f"Elsewhere {tmp_path.name}"})
    assert other.status_code == 201, other.text
    with pytest.raises(NoteError):
        apply_note(out, "wider", shot="2", server_url=server.url, project=other.json()["id"])
    assert "this board is in project 'default'" in capsys.readouterr().err
    shot = apply_note(out, "Mara looks more frightened", shot="3", server_url=server.url, project="default")
    actor = apply_note(out, "more expressive", actor="MARA", server_url=server.url)
    board = apply_note(out, "it's evening, not morning", board=True, server_url=server.url)
    assert (len(shot["jobs"]), len(board["jobs"])) == (1, 6)
    assert len(actor["jobs"]) == 5, "MARA is in shots 1, 3, 4, 5 and 6"
    with pytest.raises(NoteError, match="--shot N"):
        apply_note(out, "wider", server_url=server.url)
    saved = run_blender(f"""
import bpy, json
bpy.ops.wm.open_mainfile(filepath={str(out / 'board.blend')!r})
strips = bpy.context.scene.sequence_editor.strips
print(json.dumps({{"strips": [[s["beatboard_shot"], s.get("beatboard_note"), s.get("beatboard_parent_job"),
                   s.get("beatboard_prompt"), s["beatboard_job"]] for s in strips]}}))
""", tmp_path)["strips"]
    notes = {}
    for shot_number, note, parent, prompt, job in saved:
        notes.setdefault(note, []).append(shot_number)
        assert prompt and parent is not None
    assert notes[""] == ["1", "2", "3", "4", "5", "6"]
    assert notes["Mara looks more frightened"] == ["3"]
    assert sorted(notes["more expressive"]) == ["1", "3", "4", "5", "6"]
    assert len(notes["it's evening, not morning"]) == 6
    parents = {job for *_, job in saved}
    assert all(parent in parents for _, note, parent, _, _ in saved if note), "every refined take names its parent"
