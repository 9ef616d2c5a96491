"""The board as an OpenTimelineIO timeline (the one editorial model), and EDL / FCP7 XML
written and read through OTIO's maintained adapters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from blender_addon.core.board_model import Board, ShotInfo

ADAPTERS = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml"}
EDITORIAL_START_HOURS = 1  # editorial timelines conventionally start at 01:00:00:00


class TimelineError(ValueError):
    pass


def _rate(board: Board) -> float:
    return float(board.fps)


def clip_name(shot: ShotInfo) -> str:
    return f"Shot {shot.number}"


def reel_name(shot: ShotInfo) -> str:
    # CMX 3600 reels are at most 8 characters, letters and digits.
    return f"SH{re.sub(r'[^A-Za-z0-9]', '', shot.number)}"[:8].upper()


def _clip(board: Board, shot: ShotInfo) -> otio.schema.Clip:
    rate = _rate(board)
    duration = otio.opentime.RationalTime(shot.duration_frames, rate)
    take = shot.chosen_take
    available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), duration)
    if take is not None:
        reference = otio.schema.ExternalReference(target_url=Path(take.image).as_uri(), available_range=available)
        reference.name = reel_name(shot)
    else:
        reference = otio.schema.MissingReference(name=reel_name(shot), available_range=available)
    camera = shot.camera
    metadata = {
        "shot": shot.number, "scene": shot.scene_number, "heading": shot.heading,
        "frame_start": shot.frame_start, "frame_end": shot.frame_end,
        "take": take.take if take else 0, "job": take.job if take else "", "frame": take.frame if take else 0,
        "prompt": take.prompt if take else "", "seed": take.seed if take else 0,
        "backend": take.backend if take else "", "image": take.image if take else "",
        "camera": camera.name if camera else "", "lens_mm": shot.lens_mm, "size": shot.size, "angle": shot.angle,
        "action": shot.action, "dialogue": shot.dialogue, "speaker": shot.speaker,
    }
    clip = otio.schema.Clip(name=clip_name(shot), media_reference=reference,
                            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), duration),
                            metadata={"beatboard": metadata, "cmx_3600": {"reel": reel_name(shot)}})
    line = f"{shot.size_label} {shot.angle.lower()} {shot.lens_mm:g}mm: {shot.action}"
    clip.markers.append(otio.schema.Marker(
        name=f"Shot {shot.number}", color=otio.schema.MarkerColor.RED,
        marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(0, rate)),
        metadata={"beatboard": {"shot": shot.number, "note": line}}))
    return clip


def build_timeline(board: Board) -> otio.schema.Timeline:
    rate = _rate(board)
    timeline = otio.schema.Timeline(name=board.title or "Beatboard")
    timeline.global_start_time = otio.opentime.RationalTime(EDITORIAL_START_HOURS * 3600 * rate, rate)
    timeline.metadata["beatboard"] = {"fps": f"{board.fps_num}/{board.fps_den}", "width": board.width,
                                      "height": board.height, "frame_start": board.frame_start,
                                      "version": board.version, "blend": board.blend}
    track = otio.schema.Track(name="Storyboard", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    cursor = board.frame_start
    for shot in sorted(board.shots, key=lambda s: s.frame_start):
        if shot.frame_start > cursor:  # a hole in the board stays a hole in the cut
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(shot.frame_start - cursor, rate))))
        track.append(_clip(board, shot))
        cursor = shot.frame_end + 1
    return timeline


def write_timeline(board: Board, path: Path) -> Path:
    path = Path(path)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise TimelineError(f"{path.name}: write .otio, .edl or .xml (FCP7)")
    timeline = build_timeline(board)
    if adapter == "fcp_xml":
        # FCP7 XML has no 'global start' of its own; keep the record side at 01:00:00:00 through it.
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
    elif adapter == "cmx_3600":
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter, style="avid")
    else:
        otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
    return path


@dataclass
class ClipTiming:
    """Where an editor put one clip: its record offset from the start of the cut, in frames."""

    name: str
    shot: str                # the Beatboard shot it came from, "" when it cannot be told
    offset: int              # frames from the first frame of the cut
    duration: int            # frames
    matched_by: str = ""     # "metadata", "name" or ""


_SHOT_NAME = re.compile(r"^\s*(?:shot\s*|sh)?([0-9]+[A-Za-z]*)\s*$", re.IGNORECASE)


def _shot_of(clip) -> tuple[str, str]:
    meta = clip.metadata.get("beatboard") if clip.metadata else None
    if hasattr(meta, "get") and meta.get("shot"):  # OTIO hands back an AnyDictionary
        return str(meta["shot"]), "metadata"
    for text in (clip.name, getattr(clip.media_reference, "name", "") or ""):
        match = _SHOT_NAME.match(text or "")
        if match:
            return match.group(1).upper(), "name"
    return "", ""


def read_timing(path: Path, rate: float) -> list[ClipTiming]:
    """Every clip of the first video track, with its place in the cut at ``rate``."""
    path = Path(path)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise TimelineError(f"{path.name}: Beatboard reads .otio, .edl or FCP7 .xml timelines")
    if not path.is_file():
        raise TimelineError(f"no timeline at {path}")
    try:
        if adapter == "cmx_3600":
            timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter, rate=rate)
        else:
            timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter)
    except Exception as exc:  # the adapters raise many kinds; the user needs to know which file and why
        raise TimelineError(f"{path.name} could not be read as {adapter}: {exc}") from exc
    if isinstance(timeline, otio.schema.SerializableCollection):
        timelines = list(timeline.find_children(descended_from_type=otio.schema.Timeline)) or list(timeline)
        timeline = timelines[0] if timelines else None
    tracks = [t for t in (timeline.video_tracks() if timeline else []) if len(t)]
    if not tracks:
        raise TimelineError(f"{path.name} has no video track with clips")
    track = tracks[0]
    timings = []
    for index, item in enumerate(track):
        if not isinstance(item, otio.schema.Clip):
            continue
        placed = track.range_of_child_at_index(index)
        shot, how = _shot_of(item)
        timings.append(ClipTiming(
            name=item.name, shot=shot, matched_by=how,
            offset=round(placed.start_time.rescaled_to(rate).value),
            duration=round(placed.duration.rescaled_to(rate).value)))
    return timings
