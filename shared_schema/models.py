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
from .limits import (
    LIST_ITEMS,
    MAX_ACTORS,
    MAX_B64_CHARS,
    MAX_COORD,
    MAX_SEED,
    MAX_SIDE,
    MAX_STEPS,
    MAX_VARIATIONS,
    REQUIRED,
    NAME_CHARS,
    PROMPT_CHARS,
    SCRIPT_CHARS,
    bounded,
    long_text,
    long_texts,
    short_text,
    short_texts,
)
from .version import SCHEMA_VERSION

# Bounds (shared_schema.limits) sit on the fields of bodies the server accepts; bodies it only
# sends carry none, so a later release can widen a cap without breaking older clients.
_UNIT = {"ge": 0.0, "le": 1.0}
_COORD = {"ge": -MAX_COORD, "le": MAX_COORD}


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
    script: str = bounded(REQUIRED, max_length=SCRIPT_CHARS)
    n: int = bounded(6, ge=1, le=200)
    focus: str = long_text()
    filename: str = long_text(max_length=1000)
    # "auto": the LLM when one is configured, else offline; "offline" or "llm" to insist.
    extractor: str = short_text("auto")


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

    focal_length_mm: float = bounded(ge=1.0, le=5000.0)
    sensor_width_mm: float = bounded(ge=1.0, le=200.0)
    location: tuple[float, float, float] = bounded(items=_COORD)
    rotation_euler: tuple[float, float, float] = bounded(items={"ge": -1000.0, "le": 1000.0})
    sensor_height_mm: float = bounded(24.0, ge=1.0, le=200.0)
    sensor_fit: SensorFit = SensorFit.AUTO
    shift_x: float = bounded(0.0, ge=-10.0, le=10.0)
    shift_y: float = bounded(0.0, ge=-10.0, le=10.0)
    clip_start: float = bounded(0.1, gt=0.0, le=MAX_COORD)
    clip_end: float = bounded(200.0, gt=0.0, le=MAX_COORD)


@dataclass
class ActorPlacement:
    name: str = short_text(REQUIRED, min_length=1)
    color: tuple[float, float, float] = bounded((0.8, 0.8, 0.8), items=_UNIT)
    height_m: float = bounded(1.75, ge=0.1, le=5.0)
    location: tuple[float, float, float] = bounded((0.0, 0.0, 0.0), items=_COORD)
    facing_deg: float = bounded(0.0, ge=-3600.0, le=3600.0)
    pose: str = short_text("stand")
    # The actor's LoRA: empty for the server's LoRA of the same name if it has one, "none"
    # for no LoRA, or another LoRA's name; and its strength.
    lora: str = short_text()
    lora_weight: float = bounded(1.0, ge=-10.0, le=10.0)
    # The stored actor cast as this character (empty: the server's casting, else the actor of
    # the same name) and that actor's standing prompt hints, which the server fills in.
    actor_id: str = short_text()
    prompt_hints: list[str] = short_texts(max_items=50)
    # 1.2: the performance asked of this actor in this shot (intensity 0-2, 1 is plain), the cast
    # actor's description (the server fills it in) and the prompt for their region (server-composed).
    emotion: str = short_text()
    intensity: float = bounded(1.0, ge=0.0, le=2.0)
    description: str = long_text()
    prompt: str = long_text(max_length=PROMPT_CHARS)


@dataclass
class Keypoint:
    x: float = bounded(ge=-MAX_COORD, le=MAX_COORD)
    y: float = bounded(ge=-MAX_COORD, le=MAX_COORD)
    visibility: KeypointVisibility = KeypointVisibility.VISIBLE


@dataclass
class ActorKeypoints:
    """18 keypoints in OpenPose-18 (COCO) order for one actor."""

    actor: str = short_text(REQUIRED)
    keypoints: list[Keypoint] = bounded(min_length=18, max_length=18)


@dataclass
class DepthMap:
    """Metric distance along the view axis, little-endian float16, row-major from the top.

    Pixels that hit nothing hold ``far``. The server maps [near, far] to ControlNet's
    convention (inverse depth, near bright); the add-on never normalizes.
    """

    width: int = bounded(ge=1, le=MAX_SIDE)
    height: int = bounded(ge=1, le=MAX_SIDE)
    near: float = bounded(gt=0.0, le=MAX_COORD)
    far: float = bounded(gt=0.0, le=MAX_COORD)
    data_b64: str = bounded(max_length=MAX_B64_CHARS)
    dtype: str = short_text("float16")


@dataclass
class LabelMask:
    """One uint8 label image for all actors: 0 is background, i is labels[i-1]."""

    width: int = bounded(ge=1, le=MAX_SIDE)
    height: int = bounded(ge=1, le=MAX_SIDE)
    labels: list[str] = bounded(max_length=MAX_ACTORS, items={"max_length": NAME_CHARS})
    data_b64: str = bounded(max_length=MAX_B64_CHARS)


@dataclass
class Conditioning:
    depth: Optional[DepthMap] = None
    poses: list[ActorKeypoints] = bounded(default_factory=list, max_length=MAX_ACTORS)
    masks: Optional[LabelMask] = None


@dataclass
class ShotDescription:
    """What the frame shows, as fields: the server's prompt builder phrases it per backend (1.2)."""

    action: str = long_text()
    dialogue: str = long_text()
    speaker: str = short_text()
    emotion: str = short_text()
    location: str = short_text()
    int_ext: IntExt = IntExt.UNKNOWN
    time_of_day: str = short_text()
    weather: str = short_text()
    notes: list[str] = long_texts(max_items=50)
    style: str = short_text()
    shot: ShotSpec = field(default_factory=ShotSpec)


@dataclass
class RenderRequest:
    shot_number: str = short_text(REQUIRED)
    width: int = bounded(ge=16, le=MAX_SIDE)
    height: int = bounded(ge=16, le=MAX_SIDE)
    prompt: str = long_text(max_length=PROMPT_CHARS)
    negative_prompt: str = long_text(max_length=PROMPT_CHARS)
    seed: int = bounded(0, ge=0, le=MAX_SEED)
    variations: int = bounded(1, ge=1, le=MAX_VARIATIONS)
    steps: int = bounded(20, ge=1, le=MAX_STEPS)
    backend: str = short_text()
    model: str = long_text(max_length=1000)  # a hub id or a local folder
    scheduler: str = short_text()  # empty: the backend's default (DPM++ 2M Karras for diffusers)
    guidance_scale: float = bounded(6.0, ge=0.0, le=50.0)
    # Per ControlNet, in the order depth, openpose: strength, and the fraction of the
    # denoising steps during which it applies.
    control_scales: tuple[float, float] = bounded((1.0, 0.9), items={"ge": 0.0, "le": 2.0})
    control_start: tuple[float, float] = bounded((0.0, 0.0), items=_UNIT)
    control_end: tuple[float, float] = bounded((1.0, 1.0), items=_UNIT)
    # Continuity: the same camera setup as an earlier shot. Reuse that job's frame as the
    # plate and redraw only these actors (someone who just entered) into it.
    plate_job: str = short_text()
    plate_frame: int = bounded(0, ge=0, le=MAX_VARIATIONS - 1)
    inpaint_actors: list[str] = short_texts(max_items=MAX_ACTORS)
    caption: str = long_text()
    actors: list[ActorPlacement] = bounded(default_factory=list, max_length=MAX_ACTORS)
    camera: Optional[CameraSpec] = None
    conditioning: Conditioning = field(default_factory=Conditioning)
    schema_version: str = bounded(SCHEMA_VERSION, max_length=20)
    # 1.2: the frame as fields (the server composes ``prompt`` from them; ``prompt`` given alone
    # is used as the action), a prompt edited by hand (used verbatim), and where the take belongs:
    # its board, the take it refines and the note that asked for it.
    description: Optional[ShotDescription] = None
    prompt_override: str = long_text(max_length=PROMPT_CHARS)
    board_id: str = short_text()
    parent_job_id: str = short_text()
    note: str = long_text()
    note_id: str = short_text()
    # 1.3: the project (id or name) the job belongs to; empty: the board's, else the default project.
    project: str = short_text()


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
class WorkerRef:
    """1.4: a team-mode worker process: the machine it runs on and the device it renders with."""

    host: str = short_text()
    device: str = short_text()
    name: str = short_text()  # unique per worker process, e.g. "gpu-box-2:4711"


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
    project: str = ""  # 1.3: the project's id
    author: str = ""  # 1.3: who submitted it
    # 1.4 (team mode): the worker that runs (ran) it; how many queued jobs go before it (1: next).
    worker: Optional[WorkerRef] = None
    queue_position: int = 0


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
    shot_number: str = short_text(REQUIRED)
    note: str = long_text()
    scope: FeedbackScope = FeedbackScope.SHOT
    actor: str = short_text()
    rating: int = bounded(0, ge=0, le=5, hint="rate 1 (worst) to 5 (best), or 0 for no rating")
    verdict: Verdict = Verdict.NONE
    take: int = bounded(0, ge=0, le=100_000)
    picked: bool = bounded(False, strict=True)  # this variation is the one the director picked among the job's


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
    character: str = short_text(REQUIRED)
    actor_id: str = short_text(REQUIRED)
    project: str = short_text()  # 1.3: castings are per project; empty: the default project


@dataclass
class LoraTrainRequest:
    """Train an actor's LoRA now on their approved crops; 0 steps: the server's default."""

    steps: int = bounded(0, ge=0, le=100_000)


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
    name: str = short_text(REQUIRED)
    id: str = ""
    description: str = long_text()
    height_m: float = bounded(1.75, ge=0.1, le=5.0)
    color: tuple[float, float, float] = bounded((0.8, 0.8, 0.8), items=_UNIT)
    prompt_hints: list[str] = long_texts(max_items=LIST_ITEMS)
    lora_version: str = ""
    references: list[str] = field(default_factory=list)  # URLs of the reference images
    cast_as: list[str] = field(default_factory=list)  # script characters this actor plays
    # 1.3: empty: the studio-wide library; a project's id: private to that project (never in
    # another project's casting search).
    project: str = short_text()


@dataclass
class ActorPatch:
    """Fields to change on an actor; absent (null) fields stay as they are."""

    name: Optional[str] = short_text(None, min_length=1)
    description: Optional[str] = long_text(None)
    height_m: Optional[float] = bounded(None, ge=0.1, le=5.0)
    color: Optional[tuple[float, float, float]] = bounded(None, items=_UNIT)
    prompt_hints: Optional[list[str]] = bounded(None, max_length=LIST_ITEMS, items={"max_length": 4000})
    project: Optional[str] = short_text(None)  # 1.3: a project's id makes the actor private to it; "" studio-wide


@dataclass
class ActorSearch:
    text: str = long_text(REQUIRED)
    k: int = bounded(5, ge=1, le=100)
    project: str = short_text()  # 1.3: search as this project sees the library; empty: the default project


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

    text: str = long_text(REQUIRED)
    scope: FeedbackScope = FeedbackScope.SHOT
    shot_number: str = short_text()
    actor: str = short_text()
    all_shots: bool = False
    characters: list[str] = short_texts(max_items=MAX_ACTORS)  # who is in the shot, to resolve "she"


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
    author: str = ""  # 1.3: the user who gave it


@dataclass
class BoardShotIn:
    number: str = short_text(REQUIRED)
    beat: Optional[Beat] = None


@dataclass
class BoardCreate:
    title: str = short_text()
    script_digest: str = short_text()
    project: str = short_text()
    shots: list[BoardShotIn] = bounded(default_factory=list, max_length=1000)


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
    author: str = ""  # 1.3: the user who rendered it


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
    revision: int = 0  # 1.3: grows with every note, take and pick; GET .../changes waits for it to pass a value


@dataclass
class BoardChanges:
    """1.3: the board's revision after a long-poll (``changed``: it passed the one asked about)."""

    board_id: str
    revision: int
    changed: bool


@dataclass
class ProjectCreate:
    name: str = short_text(REQUIRED)


@dataclass
class MemberRequest:
    user: str = short_text(REQUIRED)
    role: str = short_text(REQUIRED)  # admin, director, artist, viewer


@dataclass
class ProjectMember:
    user: str
    role: str


@dataclass
class Project:
    id: str
    name: str
    role: str = ""  # the caller's role in it
    members: list[ProjectMember] = field(default_factory=list)


@dataclass
class UserCreate:
    name: str = short_text(REQUIRED)
    role: str = short_text(REQUIRED)  # admin, director, artist, viewer, worker
    project: str = short_text()  # 1.3: the project (id or name) they get the role in; empty: the default project


@dataclass
class UserToken:
    """A new user's personal token: shown this once, kept on the server only as a SHA-256 digest."""

    name: str
    role: str
    token: str


@dataclass
class UserInfo:
    name: str
    role: str
    revoked: bool = False
    created_at: float = 0.0
    projects: dict[str, str] = field(default_factory=dict)  # project id -> role there


@dataclass
class ActivityEntry:
    id: int
    user: str
    action: str
    target: str = ""
    at: float = 0.0


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
    BoardChanges,
    ProjectCreate,
    MemberRequest,
    Project,
    UserCreate,
    UserToken,
    UserInfo,
    ActivityEntry,
)


# -- 1.4: team mode, the routes a `beatboard worker` process calls (/v1/worker/...) -----------------
@dataclass
class WorkerClaim:
    worker: WorkerRef = field(default_factory=WorkerRef)


@dataclass
class WorkerTraining:
    actor_id: str = ""
    steps: int = 0
    reason: str = ""


@dataclass
class WorkerClaimed:
    """The job a worker now holds. Every later call for it carries ``attempt`` (a fencing token:
    a worker whose lease ran out and whose job another worker took is refused)."""

    job: Job
    attempt: int
    lease_s: float
    request: Optional[RenderRequest] = None  # render jobs
    training: Optional[WorkerTraining] = None  # LoRA training jobs


@dataclass
class WorkerProgress:
    attempt: int = bounded(0, ge=0)
    progress: float = bounded(0.0, **_UNIT)
    message: str = long_text()


@dataclass
class WorkerProgressAnswer:
    state: JobState
    cancel_requested: bool = False


@dataclass
class WorkerFinish:
    attempt: int = bounded(0, ge=0)
    state: JobState = JobState.DONE
    message: str = long_text()
    error: Optional[ErrorBody] = None


@dataclass
class WorkerHeartbeat:
    worker: WorkerRef = field(default_factory=WorkerRef)
    queues: list[str] = short_texts()
    loaded_model: str = long_text(max_length=1000)
    current_job: str = short_text()
    attempt: int = bounded(0, ge=0)


@dataclass
class WorkerStatus:
    worker: WorkerRef
    queues: list[str] = field(default_factory=list)
    loaded_model: str = ""
    current_job: str = ""
    last_heartbeat: float = 0.0


@dataclass
class WorkerConfig:
    """What a `beatboard worker` learns from the API it serves: the broker and the lease."""

    broker_url: str
    lease_s: float
    visibility_timeout_s: float
    restore_interval_s: float


@dataclass
class WorkerTrainingBundle:
    """What a training worker fetches for a claimed LoRA training job
    (GET /v1/worker/jobs/ID/training): the actor, the names of the approved crops to download,
    the version in use to score against, and the CLIP model the API embeds actors with (the
    worker scores with the same one)."""

    actor_id: str
    actor_name: str
    description: str = ""
    crops: list[str] = field(default_factory=list)  # GET .../training/crops/NAME
    active_lora: str = ""  # NAME@vN of the version in use, "" for none: GET .../training/active-lora
    next_version: int = 1
    clip_model: str = ""  # the API's BEATBOARD_CLIP_MODEL and _CHECKPOINT
    clip_checkpoint: str = ""


@dataclass
class WorkerLoraRegister:
    """Register the LoRA uploaded for the job (PUT .../training/lora) as the actor's version
    ``version`` (the bundle's ``next_version``); sending it again changes nothing."""

    attempt: int = bounded(0, ge=0)
    version: int = bounded(1, ge=1, le=1_000_000)
    base_model: str = long_text(max_length=1000)
    steps: int = bounded(0, ge=0, le=100_000)
    source_frames: list[str] = bounded(default_factory=list, max_length=100_000, items={"max_length": NAME_CHARS})
    metrics: dict[str, float] = bounded(default_factory=dict, max_length=32)
    accepted: bool = False


WIRE_TYPES += (WorkerClaim, WorkerTraining, WorkerClaimed, WorkerProgress, WorkerProgressAnswer, WorkerFinish,
               WorkerHeartbeat, WorkerStatus, WorkerConfig, WorkerTrainingBundle, WorkerLoraRegister)
