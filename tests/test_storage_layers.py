"""One repository owns the actor database's SQL; one artifact store owns where files live and
writes them whole."""

import ast
from pathlib import Path

import pytest
from PIL import Image

from beatboard.paths import REPO
from render_server.actors.repository import ActorRepository
from render_server.storage.artifacts import ArtifactStore
from shared_schema import ActorProfile

# Modules that use the actor database; only the repository (and its migrations) may hold SQL.
ACTOR_DB_USERS = [*sorted((REPO / "render_server" / "actors").glob("*.py")),
                  *sorted((REPO / "render_server" / "learning").glob("*.py")), REPO / "beatboard" / "cli.py"]
REPOSITORY_FILES = {"repository.py", "migrations.py"}


def _attribute_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("db", "execute", "_lock") \
                and not (isinstance(node.value, ast.Name) and node.value.id == "self" and node.attr == "_lock"):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.attr}")
    return found


def test_only_the_repository_touches_the_actor_database():
    offenders = [use for path in ACTOR_DB_USERS if path.name not in REPOSITORY_FILES for use in _attribute_uses(path)]
    assert offenders == [], "SQL outside render_server/actors/repository.py"


def test_no_module_builds_artifact_paths_itself():
    """Paths under the data folder come from ArtifactStore (and Settings' database files)."""
    allowed = {"artifacts.py", "settings.py", "server_lock.py"}
    offenders = []
    for path in sorted((REPO / "render_server").rglob("*.py")):
        if path.name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.left, ast.Attribute) \
                    and node.left.attr in ("data_dir", "frames_dir", "images_dir", "trained_lora_dir", "lora_dir"):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {node.left.attr} / ...")
    assert offenders == []


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(tmp_path):
    artifacts = ArtifactStore(tmp_path)
    target = artifacts.frame_path("job1", 0)
    artifacts.write_atomic(target, Image.new("RGB", (8, 8), (255, 0, 0)).save)

    def half_then_crash(temporary: Path) -> None:
        temporary.write_bytes(b"\x89PNG half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        artifacts.write_atomic(target, half_then_crash)
    assert Image.open(target).getpixel((0, 0)) == (255, 0, 0)
    assert sorted(p.name for p in target.parent.iterdir()) == ["0.png"]


def test_a_staged_file_and_its_rows_commit_together_or_not_at_all(tmp_path):
    artifacts = ArtifactStore(tmp_path)
    repository = ActorRepository(tmp_path / "actors.sqlite3")
    actor = repository.create(ActorProfile(name="MARA"))
    path = artifacts.reference_path(actor.id, "ab" * 32)
    image = Image.new("RGB", (8, 8))
    vector = [1.0] + [0.0] * 15
    with pytest.raises(RuntimeError):
        with repository.transaction(), artifacts.staged(path, image.save):
            repository.add_reference(actor.id, str(path), "ab" * 32, vector, "m")
            raise RuntimeError("killed before the commit")
    assert not path.exists() and list(path.parent.iterdir()) == []
    assert repository.require(actor.id).references == []
    with repository.transaction(), artifacts.staged(path, image.save):
        repository.add_reference(actor.id, str(path), "ab" * 32, vector, "m")
    assert path.is_file() and repository.reference_path(actor.id, 0) == str(path)
    repository.close()


def test_a_crop_whose_approval_never_committed_is_not_training_data(tmp_path):
    """A crash between a crop's rename and its feedback's commit leaves a crop no row names."""
    from render_server.learning.lora_training import LoraTrainer
    from render_server.settings import Settings

    settings = Settings(data_dir=tmp_path)
    repository = ActorRepository(settings.actors_db_path)
    actor = repository.create(ActorProfile(name="MARA"))
    repository.record_verdict(actor.id, [1.0] + [0.0] * 15, "m", approved=True, ref="job1/0")
    for ref in ("job1/0", "job2/0"):  # job2/0: renamed into place, then the process died
        settings.artifacts.write_atomic(settings.artifacts.crop_path(actor.id, ref), Image.new("RGB", (8, 8)).save)
    crops = LoraTrainer(settings, repository, None).approved_crops(actor.id)
    assert [c.name for c in crops] == ["job1_0.png"]
    repository.close()
