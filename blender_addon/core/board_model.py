"""The board as plain data, read once from the .blend and handed to every exporter.

Blender's side (``export_gather``) fills these; the exporters (PDF, shot list, OTIO, ...)
read only these, so they run and are tested without bpy, and in a Python that has the
third-party libraries Blender lacks (the board travels between the two as JSON).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import Optional

FORMAT = "beatboard.board"
FORMAT_VERSION = 1


@dataclass
class CameraInfo:
    name: str
    location: list[float]                 # metres, world space
    rotation_deg: list[float]             # XYZ Euler, degrees (Blender's camera looks down its -Z)
    matrix_world: list[list[float]]       # 4x4, rows
    focal_length_mm: float
    sensor_width_mm: float
    sensor_height_mm: float
    sensor_fit: str
    shift_x: float
    shift_y: float
    clip_start: float
    clip_end: float
    animated: bool = False


@dataclass
class TakeInfo:
    take: int
    image: str                            # absolute path of the frame on disk
    strip: str = ""
    job: str = ""
    frame: int = 0
    seed: int = 0
    backend: str = ""
    prompt: str = ""
    picked: bool = False
    muted: bool = False
    verdict: str = ""
    rating: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class ShotInfo:
    number: str
    scene_number: str = ""
    heading: str = ""
    int_ext: str = ""
    location: str = ""
    time_of_day: str = ""
    characters: list[str] = field(default_factory=list)
    action: str = ""
    dialogue: str = ""
    speaker: str = ""
    emotion: str = ""
    size: str = ""
    angle: str = ""
    lens_mm: float = 0.0
    frame_start: int = 1
    frame_end: int = 1                    # inclusive, as Blender's markers and the beat list count
    camera: Optional[CameraInfo] = None
    takes: list[TakeInfo] = field(default_factory=list)

    @property
    def duration_frames(self) -> int:
        return self.frame_end - self.frame_start + 1

    @property
    def chosen_take(self) -> Optional[TakeInfo]:
        """The picked take, else the latest one."""
        picked = [t for t in self.takes if t.picked]
        pool = picked or self.takes
        return max(pool, key=lambda t: t.take) if pool else None

    @property
    def notes(self) -> list[str]:
        """Every note given on this shot's takes, oldest first, without repeats."""
        seen: dict[str, None] = {}
        for take in sorted(self.takes, key=lambda t: t.take):
            for note in take.notes:
                seen.setdefault(note.strip(), None)
        return [n for n in seen if n]

    @property
    def size_label(self) -> str:
        return self.size.replace("_", " ")

    @property
    def move(self) -> str:
        return "animated" if self.camera and self.camera.animated else "static"


@dataclass
class Board:
    title: str
    fps_num: int
    fps_den: int
    width: int
    height: int
    shots: list[ShotInfo]
    blend: str = ""
    version: str = ""
    exported_at: str = ""                 # ISO date-time of the gather
    frame_start: int = 1

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def seconds(self, frames: int) -> float:
        return float(frames / self.fps)

    @property
    def file_stem(self) -> str:
        """The title as a file name: 'Brick & Steel' -> 'Brick_Steel'."""
        return re.sub(r"[^\w-]+", "_", self.title or "").strip("_") or "board"

    def scene_headings(self) -> list[str]:
        return list(dict.fromkeys(s.heading for s in self.shots if s.heading))

    def to_dict(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, **asdict(self)}

    def write(self, path: Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, data: dict) -> "Board":
        if data.get("format") != FORMAT:
            raise ValueError("not a Beatboard board export (no 'format': 'beatboard.board')")
        known = {f.name for f in fields(cls)}
        board = cls(**{k: v for k, v in data.items() if k in known and k != "shots"}, shots=[])
        for raw in data.get("shots", []):
            shot = ShotInfo(**{k: v for k, v in raw.items() if k not in ("camera", "takes")})
            shot.camera = CameraInfo(**raw["camera"]) if raw.get("camera") else None
            shot.takes = [TakeInfo(**t) for t in raw.get("takes", [])]
            board.shots.append(shot)
        return board

    @classmethod
    def read(cls, path: Path) -> "Board":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def rational_fps(fps: int, fps_base: float) -> tuple[int, int]:
    """Blender keeps rate as fps / fps_base (a float); editorial wants it exact: 24000/1001."""
    rate = Fraction(fps) / Fraction(fps_base).limit_denominator(1001)
    rate = rate.limit_denominator(1001)
    return rate.numerator, rate.denominator
