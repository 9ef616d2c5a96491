"""The wire: every body that crosses between the add-on and the render server.

Plain stdlib dataclasses so that Blender (no pydantic there) and FastAPI (which
validates dataclass bodies) read one definition. Coordinates are Blender's:
metres, Z up. Image coordinates are pixels, origin top-left, x right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .enums import (
    CameraAngle,
    CameraMove,
    EventKind,
    FeedbackScope,
    IntExt,
    JobKind,
    JobState,
    KeypointVisibility,
    SensorFit,
    ShotSize,
    Verdict,
)
from .version import SCHEMA_VERSION


@dataclass
class ErrorBody:
    """The one error shape: what went wrong, and what to do about it."""

    code: str
    message: str
    hint: str = ""


@dataclass
class ShotSpec:
    size: ShotSize = ShotSize.MS
    angle: CameraAngle = CameraAngle.EYE
    lens_mm: int = 50
    move: CameraMove = CameraMove.STATIC


@dataclass
class Beat:
    index: int
    action: str
    scene_number: str = ""
    heading: str = ""
    location: str = ""
    int_ext: IntExt = IntExt.UNKNOWN
    time_of_day: str = ""
    characters: list[str] = field(default_factory=list)
    entering: list[str] = field(default_factory=list)
    dialogue: str = ""
    speaker: str = ""
    # Who the camera frames first (a single's subject); empty lets blocking choose.
    subject: str = ""
    emotion: str = ""
    shot: ShotSpec = field(default_factory=ShotSpec)
    # 1-based inclusive line range of the script this beat came from.
    line_start: int = 0
    line_end: int = 0


@dataclass
class BeatsRequest:
    script: str
    n: int = 6
    focus: str = ""
    filename: str = ""
    # "auto": the LLM when one is configured, else offline; "offline" or "llm" to insist.
    extractor: str = "auto"


@dataclass
class SceneInfo:
    """One scene as parsed, for the report and the UI."""

    number: str
    heading: str
    int_ext: IntExt = IntExt.UNKNOWN
    location: str = ""
    time_of_day: str = ""
    characters: list[str] = field(default_factory=list)
    line_start: int = 0
    line_end: int = 0


@dataclass
class BeatsResponse:
    beats: list[Beat]
    title: str = ""
    scenes: int = 0
    characters: list[str] = field(default_factory=list)
    extractor: str = "offline"
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    format: str = "fountain"  # fountain, fdx or prose
    scene_list: list[SceneInfo] = field(default_factory=list)
    # Set when the input was converted (FDX): the Fountain text the beats' line numbers refer to.
    source_fountain: str = ""


@dataclass
class CameraSpec:
    """A camera as Blender holds it; enough to reproduce its projection exactly."""

    focal_length_mm: float
    sensor_width_mm: float
    location: tuple[float, float, float]
    rotation_euler: tuple[float, float, float]
    sensor_height_mm: float = 24.0
    sensor_fit: SensorFit = SensorFit.AUTO
    shift_x: float = 0.0
    shift_y: float = 0.0
    clip_start: float = 0.1
    clip_end: float = 200.0


@dataclass
class ActorPlacement:
    name: str
    color: tuple[float, float, float] = (0.8, 0.8, 0.8)
    height_m: float = 1.75
    location: tuple[float, float, float] = (0.0, 0.0, 0.0)
    facing_deg: float = 0.0
    pose: str = "stand"
    # The actor's LoRA: empty for the server's LoRA of the same name if it has one, "none"
    # for no LoRA, or another LoRA's name; and its strength.
    lora: str = ""
    lora_weight: float = 1.0
    # The stored actor cast as this character (empty: the server's casting, else the actor of
    # the same name) and that actor's standing prompt hints, which the server fills in.
    actor_id: str = ""
    prompt_hints: list[str] = field(default_factory=list)
    # 1.2: the performance asked of this actor in this shot (intensity 0-2, 1 is plain), the cast
    # actor's description (the server fills it in) and the prompt for their region (server-composed).
    emotion: str = ""
    intensity: float = 1.0
    description: str = ""
    prompt: str = ""


@dataclass
class Keypoint:
    x: float
    y: float
    visibility: KeypointVisibility = KeypointVisibility.VISIBLE


@dataclass
class ActorKeypoints:
    """18 keypoints in OpenPose-18 (COCO) order for one actor."""

    actor: str
    keypoints: list[Keypoint]


@dataclass
class DepthMap:
    """Metric distance along the view axis, little-endian float16, row-major from the top.

    Pixels that hit nothing hold ``far``. The server maps [near, far] to ControlNet's
    convention (inverse depth, near bright); the add-on never normalizes.
    """

    width: int
    height: int
    near: float
    far: float
    data_b64: str
    dtype: str = "float16"


@dataclass
class LabelMask:
    """One uint8 label image for all actors: 0 is background, i is labels[i-1]."""

    width: int
    height: int
    labels: list[str]
    data_b64: str


@dataclass
class Conditioning:
    depth: Optional[DepthMap] = None
    poses: list[ActorKeypoints] = field(default_factory=list)
    masks: Optional[LabelMask] = None


@dataclass
class ShotDescription:
    """What the frame shows, as fields: the server's prompt builder phrases it per backend (1.2)."""

    action: str = ""
    dialogue: str = ""
    speaker: str = ""
    emotion: str = ""
    location: str = ""
    int_ext: IntExt = IntExt.UNKNOWN
    time_of_day: str = ""
    weather: str = ""
    notes: list[str] = field(default_factory=list)
    style: str = ""
    shot: ShotSpec = field(default_factory=ShotSpec)


@dataclass
class RenderRequest:
    shot_number: str
    width: int
    height: int
    prompt: str = ""
    negative_prompt: str = ""
    seed: int = 0
    variations: int = 1
    steps: int = 20
    backend: str = ""
    model: str = ""
    scheduler: str = ""  # empty: the backend's default (DPM++ 2M Karras for diffusers)
    guidance_scale: float = 6.0
    # Per ControlNet, in the order depth, openpose: strength, and the fraction of the
    # denoising steps during which it applies.
    control_scales: tuple[float, float] = (1.0, 0.9)
    control_start: tuple[float, float] = (0.0, 0.0)
    control_end: tuple[float, float] = (1.0, 1.0)
    # Continuity: the same camera setup as an earlier shot. Reuse that job's frame as the
    # plate and redraw only these actors (someone who just entered) into it.
    plate_job: str = ""
    plate_frame: int = 0
    inpaint_actors: list[str] = field(default_factory=list)
    caption: str = ""
    actors: list[ActorPlacement] = field(default_factory=list)
    camera: Optional[CameraSpec] = None
    conditioning: Conditioning = field(default_factory=Conditioning)
    schema_version: str = SCHEMA_VERSION
    # 1.2: the frame as fields (the server composes ``prompt`` from them; ``prompt`` given alone
    # is used as the action), a prompt edited by hand (used verbatim), and where the take belongs:
    # its board, the take it refines and the note that asked for it.
    description: Optional[ShotDescription] = None
    prompt_override: str = ""
    board_id: str = ""
    parent_job_id: str = ""
    note: str = ""
    note_id: str = ""


@dataclass
class Frame:
    index: int
    url: str
    width: int
    height: int
    seed: int
    backend: str
    prompt: str = ""
    shot_number: str = ""


@dataclass
class Job:
    id: str
    kind: JobKind
    state: JobState
    progress: float = 0.0
    message: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    attempts: int = 0
    shot_number: str = ""
    backend: str = ""
    frames: list[Frame] = field(default_factory=list)
    error: Optional[ErrorBody] = None
    parent_job_id: str = ""  # 1.2: the take this one refines


@dataclass
class JobAccepted:
    id: str
    state: JobState
    url: str
    events_url: str
    # 1.2: set when an earlier job had the very same request and seed: its frames answer at once.
    cached_from: str = ""


@dataclass
class JobEvent:
    seq: int
    job_id: str
    kind: EventKind
    at: float
    progress: float = 0.0
    message: str = ""
    frame: Optional[Frame] = None
    error: Optional[ErrorBody] = None


@dataclass
class JobEvents:
    job_id: str
    state: JobState
    events: list[JobEvent]


@dataclass
class BackendInfo:
    name: str
    available: bool
    reason: str = ""
    capabilities: list[str] = field(default_factory=list)


@dataclass
class ModelInfo:
    name: str
    backend: str
    source: str = ""  # a local folder or a hub id
    available: bool = True
    reason: str = ""
    capabilities: list[str] = field(default_factory=list)


@dataclass
class ModelsResponse:
    models: list[ModelInfo]
    loras: list[str] = field(default_factory=list)
    schedulers: list[str] = field(default_factory=list)


@dataclass
class Health:
    version: str
    schema_version: str
    backends: list[BackendInfo]
    default_backend: str = "previs"


@dataclass
class Shot:
    """A beat blocked out in Blender: what the timeline and the storyboard sheet show."""

    number: str
    beat: Beat
    frame_start: int
    frame_end: int
    camera: Optional[CameraSpec] = None
    actors: list[ActorPlacement] = field(default_factory=list)


@dataclass
class Feedback:
    shot_number: str
    note: str = ""
    scope: FeedbackScope = FeedbackScope.SHOT
    actor: str = ""
    rating: int = 0
    verdict: Verdict = Verdict.NONE
    take: int = 0
    picked: bool = False  # this variation is the one the director picked among the job's


@dataclass
class FeedbackResult:
    """What the server learned from one piece of feedback."""

    frame: str
    profiles_moved: list[str] = field(default_factory=list)
    hints_added: list[str] = field(default_factory=list)
    reward: dict[str, float] = field(default_factory=dict)
    training_jobs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    note_id: str = ""  # 1.2: the note that produced the judged take, if one did
    note_kept: str = ""  # 1.2: a shot or board note sent with the feedback, kept in force on the board


@dataclass
class Ranking:
    """A job's variations best-first by the reward model (frame indices, and their scores)."""

    job_id: str
    order: list[int]
    scores: list[float]
    reward: dict[str, float] = field(default_factory=dict)


@dataclass
class Casting:
    character: str
    actor_id: str


@dataclass
class LoraTrainRequest:
    """Train an actor's LoRA now on their approved crops; 0 steps: the server's default."""

    steps: int = 0


@dataclass
class LoraVersion:
    actor_id: str
    version: int
    name: str
    path: str
    base_model: str
    steps: int
    status: str  # active, kept_aside
    source_frames: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class ActorProfile:
    name: str
    id: str = ""
    description: str = ""
    height_m: float = 1.75
    color: tuple[float, float, float] = (0.8, 0.8, 0.8)
    prompt_hints: list[str] = field(default_factory=list)
    lora_version: str = ""
    references: list[str] = field(default_factory=list)  # URLs of the reference images
    cast_as: list[str] = field(default_factory=list)  # script characters this actor plays


@dataclass
class ActorPatch:
    """Fields to change on an actor; absent (null) fields stay as they are."""

    name: Optional[str] = None
    description: Optional[str] = None
    height_m: Optional[float] = None
    color: Optional[tuple[float, float, float]] = None
    prompt_hints: Optional[list[str]] = None


@dataclass
class ActorSearch:
    text: str
    k: int = 5


@dataclass
class ActorMatch:
    actor: ActorProfile
    distance: float


@dataclass
class ActorMatches:
    matches: list[ActorMatch]
    model: str = ""


@dataclass
class NoteChange:
    """What a director's note asks for, as a structured change (1.2).

    Relative fields (``size_steps``: +1 is one size wider; ``intensity_delta``) apply to the
    shot as it is; absolute ones replace. Empty / None / 0 means "leave as it is".
    """

    actor: str = ""
    emotion: str = ""
    intensity: Optional[float] = None
    intensity_delta: float = 0.0
    size_steps: int = 0
    shot_size: Optional[ShotSize] = None
    angle: Optional[CameraAngle] = None
    lens_delta_mm: int = 0
    lens_mm: int = 0
    time_of_day: str = ""
    weather: str = ""
    light: str = ""
    same_as_shot: str = ""
    prompt_terms: list[str] = field(default_factory=list)
    new_seed: bool = False
    understood: bool = True
    source: str = "rules"  # rules or llm
    summary: str = ""

    @property
    def camera(self) -> bool:
        return bool(self.size_steps or self.shot_size or self.angle or self.lens_delta_mm or self.lens_mm)

    @property
    def performance_only(self) -> bool:
        return bool(self.actor and (self.emotion or self.intensity is not None or self.intensity_delta)
                    and not self.camera and not (self.time_of_day or self.weather or self.light
                                                 or self.same_as_shot or self.prompt_terms or self.new_seed))


@dataclass
class NoteRequest:
    """A director's note: SHOT (one shot, ``shot_number``), ACTOR (``actor`` in ``shot_number``,
    or in every shot with ``all_shots``) or BOARD."""

    text: str
    scope: FeedbackScope = FeedbackScope.SHOT
    shot_number: str = ""
    actor: str = ""
    all_shots: bool = False
    characters: list[str] = field(default_factory=list)  # who is in the shot, to resolve "she"


@dataclass
class Note:
    id: str
    text: str
    scope: FeedbackScope
    change: NoteChange
    shot_number: str = ""
    actor: str = ""
    all_shots: bool = False
    active: bool = True
    created_at: float = 0.0
    shots: list[str] = field(default_factory=list)  # the shots it re-renders, in board order


@dataclass
class BoardShotIn:
    number: str
    beat: Optional[Beat] = None


@dataclass
class BoardCreate:
    title: str = ""
    script_digest: str = ""
    project: str = ""
    shots: list[BoardShotIn] = field(default_factory=list)


@dataclass
class Take:
    job_id: str
    state: JobState
    seed: int = 0
    prompt: str = ""
    parent_job_id: str = ""
    note_id: str = ""
    note: str = ""
    frames: list[Frame] = field(default_factory=list)
    created_at: float = 0.0


@dataclass
class BoardShot:
    number: str
    position: int
    beat: Optional[Beat] = None
    takes: list[Take] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # SHOT and ACTOR notes in force here
    pick_job: str = ""
    pick_frame: int = 0


@dataclass
class Board:
    id: str
    title: str = ""
    script_digest: str = ""
    project: str = ""
    created_at: float = 0.0
    shots: list[BoardShot] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # BOARD notes in force


# Every top-level body, by name: the JSON Schema export walks this.
WIRE_TYPES: tuple[type, ...] = (
    ErrorBody,
    BeatsRequest,
    BeatsResponse,
    RenderRequest,
    Job,
    JobAccepted,
    JobEvents,
    Health,
    ModelsResponse,
    Shot,
    Feedback,
    FeedbackResult,
    Ranking,
    Casting,
    LoraTrainRequest,
    LoraVersion,
    ActorProfile,
    ActorPatch,
    ActorSearch,
    ActorMatches,
    NoteChange,
    NoteRequest,
    Note,
    BoardCreate,
    Board,
)
