"""Pick a shot (size, angle, lens) for a beat from its dramatic role."""

from __future__ import annotations

from shared_schema import CameraAngle, CameraMove, ShotSize, ShotSpec

# Full-frame focal lengths by shot size (BRIEF: 14-24 establishing ... 85-135 detail).
LENS_FOR_SIZE = {
    ShotSize.EWS: 18,
    ShotSize.WS: 24,
    ShotSize.MLS: 35,
    ShotSize.TWO_SHOT: 40,
    ShotSize.MS: 50,
    ShotSize.OTS_LEFT: 50,
    ShotSize.OTS_RIGHT: 50,
    ShotSize.POV: 35,
    ShotSize.MCU: 65,
    ShotSize.CU: 85,
    ShotSize.ECU: 100,
    ShotSize.INSERT: 100,
}


def suggest_shot(
    *,
    is_first: bool,
    opens_scene: bool,
    has_entrance: bool,
    people: int,
    intensity: float,
    has_dialogue: bool,
    is_reaction: bool = False,
    exterior: bool = False,
    spectacle: bool = False,
) -> ShotSpec:
    if is_first or (opens_scene and people == 0):
        size = ShotSize.EWS if exterior else ShotSize.WS
    elif spectacle:  # a building burns, a dragon rises, a chase: the event needs the frame
        size = ShotSize.EWS if exterior and people == 0 else ShotSize.WS
    elif has_entrance:
        size = ShotSize.MLS if people <= 1 else ShotSize.WS
    elif is_reaction or intensity >= 2.0:
        size = ShotSize.CU
    elif has_dialogue and people >= 2:
        size = ShotSize.TWO_SHOT
    elif has_dialogue:
        size = ShotSize.MCU
    elif people >= 2:
        size = ShotSize.MLS
    else:
        size = ShotSize.MS
    angle = CameraAngle.HIGH if size in (ShotSize.EWS,) else CameraAngle.EYE
    if intensity >= 3.0 and size is ShotSize.CU:
        angle = CameraAngle.LOW
    move = CameraMove.DOLLY if has_entrance else CameraMove.STATIC
    return ShotSpec(size=size, angle=angle, lens_mm=LENS_FOR_SIZE[size], move=move)
