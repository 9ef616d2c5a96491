import json

from beatboard.cli import main
from tests.conftest import EXAMPLE


def test_beats_command_prints_json_beats(capsys):
    assert main(["beats", str(EXAMPLE), "--n", "4", "--json"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert len(response["beats"]) == 4
    assert response["title"] == "The Last Ferry"
    assert {"index", "action", "shot", "line_start", "characters", "entering"} <= set(response["beats"][0])


def test_beats_command_reads_utf16_and_refuses_binary(tmp_path, capsys):
    utf16 = tmp_path / "notes.fountain"
    utf16.write_text(EXAMPLE.read_text(), encoding="utf-16")
    assert main(["beats", str(utf16), "--n", "2"]) == 0
    assert "The Last Ferry: 2 scenes, characters MARA, TOMAS, JUNE [fountain, offline]" in capsys.readouterr().out
    binary = tmp_path / "photo.fountain"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    assert main(["beats", str(binary)]) == 1
    assert "looks binary" in capsys.readouterr().err


def test_board_refuses_a_server_that_is_not_there(tmp_path, capsys):
    from beatboard.server_process import free_port

    code = main(["board", str(EXAMPLE), "--out", str(tmp_path), "--server", f"http://127.0.0.1:{free_port()}"])
    assert code == 1
    assert "beatboard server" in capsys.readouterr().err


def test_actors_commands_add_list_show_and_search(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BEATBOARD_DATA_DIR", str(tmp_path))
    assert main(["actors", "add", "TOMAS", "--description", "an old ferryman with reading glasses"]) == 0
    assert main(["actors", "add", "JUNE", "--description", "a young harbour police officer"]) == 0
    assert main(["actors", "list"]) == 0
    listing = capsys.readouterr().out
    assert "JUNE" in listing and "TOMAS" in listing
    assert main(["actors", "search", "an old ferryman with reading glasses"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[1] == "TOMAS"
    assert main(["actors", "show", "nobody"]) == 1
    assert "no actor" in capsys.readouterr().err


def test_actors_identify_names_the_actor_an_image_shows(tmp_path, capsys, monkeypatch):
    import numpy as np
    from PIL import Image

    monkeypatch.setenv("BEATBOARD_DATA_DIR", str(tmp_path / "data"))
    for seed, name in ((1, "TOMAS"), (2, "JUNE")):
        pixels = np.kron(np.random.default_rng(seed).integers(0, 255, size=(6, 4, 3)), np.ones((16, 16, 1)))
        Image.fromarray(pixels.astype(np.uint8)).save(tmp_path / f"{name}.png")
        assert main(["actors", "add", name, "--image", str(tmp_path / f"{name}.png")]) == 0
    capsys.readouterr()
    assert main(["actors", "identify", str(tmp_path / "JUNE.png")]) == 0
    assert capsys.readouterr().out.split()[1] == "JUNE"
    assert main(["actors", "frames", "JUNE"]) == 0
    assert "no approved frames yet" in capsys.readouterr().out
