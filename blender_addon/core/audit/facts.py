"""What the audit knows about a shot: measured from the scene, stored as plain JSON.

The bpy layer (``shot_facts.py``) measures these in Blender; ``beatboard block`` writes
them per shot; the rules read only these, so the audit runs the same in Blender and on a
folder of exported shots.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

Vec = tuple[float, float, float]
VISIBLE, OCCLUDED, OUT_OF_FRAME = "VISIBLE", "OCCLUDED", "OUT_OF_FRAME"


@dataclass
class ActorFacts:
    name: str
    color: Vec
    height_m: float
    location: Vec                      # relative to the shot's stage origin
    facing_deg: float
    pose: str = "stand"
    # OpenPose joint name -> (x px, y px from the top, VISIBLE / OCCLUDED / OUT_OF_FRAME)
    keypoints: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    head_top: tuple[float, float] = (0.0, 0.0)   # the crown, projected (may lie outside the frame)
    # The framed part of the body (from the crown down to the size's lower edge), drawn alone:
    silhouette_px: int = 0             # in a frame three times as wide and high
    in_frame_px: int = 0               # inside the frame
    visible_px: int = 0                # the actor's pixels in the shot's label mask
    covered_by: dict[str, int] = field(default_factory=dict)  # what hides the in-frame silhouette, px
    face_yaw_deg: float = 0.0          # the camera, degrees round from where the nose points
    face_pitch_deg: float = 0.0        # the camera, degrees above the eyes (negative: below)

    def in_frame_fraction(self) -> float:
        return self.in_frame_px / self.silhouette_px if self.silhouette_px else 0.0

    def hidden_fraction(self, people) -> float:
        """How much of the in-frame body other people and set walls hide (props in front of
        someone, like a table before a seated actor, hide a lap, not the person)."""
        hidden = sum(px for n, px in self.covered_by.items() if n in people or n.startswith(("wall", "block")))
        return hidden / self.in_frame_px if self.in_frame_px else 0.0


@dataclass
class ShotFacts:
    shot: str
    scene_number: str = ""
    size: str = "MS"
    angle: str = "EYE"
    lens_mm: float = 50.0
    characters: list[str] = field(default_factory=list)   # as the beat names them
    entering: list[str] = field(default_factory=list)
    subject: str = ""                  # who the shot is of (see subject_of)
    subject_from: str = ""             # "beat" when the beat names it; else how blocking chose
    action: str = ""
    dialogue: str = ""
    speaker: str = ""
    continues_shot: str = ""           # the earlier shot whose setup this one continues on purpose
    width: int = 768
    height: int = 432
    camera_location: Vec = (0.0, 0.0, 0.0)   # relative to the stage origin
    camera_forward: Vec = (0.0, 1.0, 0.0)
    focal_length_mm: float = 50.0
    camera_inside: list[str] = field(default_factory=list)   # meshes the lens is inside
    walls_between: list[str] = field(default_factory=list)   # set walls between the lens and the subject
    actors: list[ActorFacts] = field(default_factory=list)
    props: list[dict] = field(default_factory=list)
    mask_px: int = 0                   # pixels in the audit's masks (the scale the *_px counts use)

    def actor(self, name: str) -> ActorFacts | None:
        return next((a for a in self.actors if a.name == name), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ShotFacts":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        actors = []
        for a in known.pop("actors", []):
            fields = {k: v for k, v in a.items() if k in ActorFacts.__dataclass_fields__}
            fields["keypoints"] = {j: tuple(p) for j, p in fields.get("keypoints", {}).items()}
            actors.append(ActorFacts(**fields))
        return cls(actors=actors, **known)


def subject_of(characters: list[str], subject: str = "") -> str:
    """The beat's subject if it names one of its people, else its first person."""
    from ..people import people_of

    people = people_of(characters)
    if subject and subject in people:
        return subject
    return people[0] if people else ""
