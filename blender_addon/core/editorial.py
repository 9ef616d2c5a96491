"""Editorial timing back onto the board: which clip is which shot, and where each shot goes.

Clips come from an edited .otio / .edl / FCP7 .xml (read outside Blender, where OTIO is,
by ``beatboard timing``) as dicts: name, shot (from Beatboard metadata or the clip name,
"" when neither tells), offset (frames from the start of the cut) and duration (frames).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Retime:
    shot: str
    frame_start: int
    frame_end: int       # inclusive


@dataclass
class RetimePlan:
    retimes: list[Retime] = field(default_factory=list)
    unmatched_clips: list[str] = field(default_factory=list)    # clips no shot claims
    shots_not_in_cut: list[str] = field(default_factory=list)   # left exactly as they were

    def summary(self) -> str:
        parts = [f"retimed {len(self.retimes)} shot(s)"]
        if self.unmatched_clips:
            parts.append(f"clips with no shot: {', '.join(self.unmatched_clips)}")
        if self.shots_not_in_cut:
            parts.append(f"shots not in the cut (unchanged): {', '.join(self.shots_not_in_cut)}")
        return "; ".join(parts)


def plan_retime(shot_numbers: list[str], clips: list[dict], board_start: int) -> RetimePlan:
    """Each shot takes the first clip that names it; nothing is ever removed."""
    plan = RetimePlan()
    known = set(shot_numbers)
    by_upper = {s.upper(): s for s in shot_numbers}
    taken: set[str] = set()
    for clip in clips:
        shot = by_upper.get(str(clip.get("shot", "")).upper(), "")
        duration = int(clip.get("duration", 0))
        if not shot or shot not in known or shot in taken or duration < 1:
            plan.unmatched_clips.append(str(clip.get("name") or "(unnamed clip)"))
            continue
        taken.add(shot)
        start = board_start + int(clip["offset"])
        plan.retimes.append(Retime(shot, start, start + duration - 1))
    plan.shots_not_in_cut = [s for s in shot_numbers if s not in taken]
    return plan
