import json

import pytest

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


def test_out_naming_a_file_is_refused_with_a_message_not_a_traceback(tmp_path, capsys):
    a_file = tmp_path / "board.blend"
    a_file.write_text("not a folder")
    assert main(["board", str(EXAMPLE), "--out", str(a_file)]) == 1
    err = capsys.readouterr().err
    assert "is a file; name a folder" in err and "Traceback" not in err
    assert main(["block", str(EXAMPLE), "--out", str(a_file / "below")]) == 1
    assert "cannot make the output folder" in capsys.readouterr().err
    assert a_file.read_text() == "not a folder"


def test_beats_json_into_a_closed_pipe_stops_quietly(tmp_path):
    """``beatboard beats --json | head``: the reader leaves early; no BrokenPipeError spills out."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "beatboard.cli", "beats", str(EXAMPLE), "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before the command has written anything: every write hits a closed pipe
    err = process.stderr.read().decode()
    assert process.wait(60) == 1
    assert "BrokenPipeError" not in err and "Traceback" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize("command", ["beats", "board", "block"])
def test_fewer_than_one_shot_is_refused(command, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, str(EXAMPLE), "--n", "0", "--out", str(tmp_path)][:5 if command == "beats" else 7])
    assert exited.value.code == 2
    assert "ask for 1 or more" in capsys.readouterr().err
    assert not (tmp_path / "board.json").exists()


def test_server_accepts_host_and_port_without_a_scheme(capsys):
    from beatboard.server_process import free_port

    port = free_port()
    assert main(["board", str(EXAMPLE), "--out", "unused", "--server", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert f"no Beatboard server answers at http://127.0.0.1:{port}" in err
    assert "unknown url type" not in err
    with pytest.raises(SystemExit):
        main(["board", str(EXAMPLE), "--out", "unused", "--server", "ftp://127.0.0.1:1"])
    assert "give host:port or a URL" in capsys.readouterr().err


def test_actors_add_with_a_missing_image_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BEATBOARD_DATA_DIR", str(tmp_path))
    (tmp_path / "notes.png").write_text("not an image")
    for image in ("missing.png", str(tmp_path / "notes.png")):
        assert main(["actors", "add", "MARA", "--image", image]) == 1
        err = capsys.readouterr().err
        assert image in err and ("No such file" in err or "not an image" in err)
    assert main(["actors", "list"]) == 0
    assert "MARA" not in capsys.readouterr().out


def test_actor_commands_that_need_no_model_load_none(tmp_path):
    """list, show, frames and add without a description or image answer without torch or open_clip."""
    import os
    import subprocess
    import sys

    probe = ("import sys; from beatboard.cli import main; code = main(sys.argv[1:]); "
             "heavy = sorted(m for m in ('torch', 'open_clip', 'transformers', 'diffusers') if m in sys.modules); "
             "print('HEAVY', heavy, code)")
    env = {**os.environ, "BEATBOARD_DATA_DIR": str(tmp_path)}
    for argv in (["add", "MARA"], ["list"], ["show", "MARA"], ["frames", "MARA"]):
        out = subprocess.run([sys.executable, "-c", probe, "actors", *argv], capture_output=True, text=True,
                             env=env, timeout=60).stdout
        assert out.splitlines()[-1] == "HEAVY [] 0", (argv, out)


def test_a_second_server_on_a_busy_port_says_so(server, capsys):
    assert main(["server", "--port", str(server.port)]) == 2
    err = capsys.readouterr().err
    assert f"Port {server.port} on 127.0.0.1 is already in use" in err and "--port" in err


def test_the_server_prints_its_address_and_data_folder(server):
    log = server.log_path.read_text()
    assert f"Beatboard render server on {server.url} (data in {server.data_dir})" in log
