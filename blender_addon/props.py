"""Data the add-on keeps in the .blend: the script, its beats, and how each became a shot."""

from __future__ import annotations

import bpy

from .core.wire import wire

SHOT_SIZES = [(s.value, s.value.replace("_", " "), "") for s in wire.ShotSize]
ANGLES = [(a.value, a.value.title(), "") for a in wire.CameraAngle]
INT_EXT = [(i.value, i.value, "") for i in wire.IntExt]


class BEATBOARD_PG_beat(bpy.types.PropertyGroup):
    action: bpy.props.StringProperty(name="Action")
    heading: bpy.props.StringProperty(name="Heading")
    scene_number: bpy.props.StringProperty(name="Scene")
    location: bpy.props.StringProperty(name="Location")
    int_ext: bpy.props.EnumProperty(name="INT/EXT", items=INT_EXT, default="UNKNOWN")
    time_of_day: bpy.props.StringProperty(name="Time of day")
    characters: bpy.props.StringProperty(name="Characters", description="Comma-separated")
    entering: bpy.props.StringProperty(name="Entering", description="Comma-separated")
    dialogue: bpy.props.StringProperty(name="Dialogue")
    speaker: bpy.props.StringProperty(name="Speaker")
    # Who the shot is of (empty: blocking picks, see core/staging.subject_of_beat). A .blend
    # saved before this property existed reads it as empty.
    subject: bpy.props.StringProperty(name="Subject", description="Who the shot is of; empty lets blocking choose")
    emotion: bpy.props.StringProperty(name="Emotion")
    weather: bpy.props.StringProperty(name="Weather")
    prompt_notes: bpy.props.StringProperty(name="Prompt notes", description="Phrases notes added, ';'-separated")
    shot_size: bpy.props.EnumProperty(name="Size", items=SHOT_SIZES, default="MS")
    angle: bpy.props.EnumProperty(name="Angle", items=ANGLES, default="EYE")
    lens_mm: bpy.props.IntProperty(name="Lens (mm)", default=50, min=8, max=300)
    line_start: bpy.props.IntProperty(name="From line")
    line_end: bpy.props.IntProperty(name="To line")
    # Filled by Block Out Shots.
    shot_number: bpy.props.StringProperty(name="Shot")
    camera: bpy.props.PointerProperty(name="Camera", type=bpy.types.Object)
    frame_start: bpy.props.IntProperty(name="Start")
    frame_end: bpy.props.IntProperty(name="End")
    stage_x: bpy.props.FloatProperty(name="Stage X")
    continues_shot: bpy.props.StringProperty(
        name="Continues shot", description="Same camera setup as this earlier shot: its frame is reused as the "
                                           "plate and only the newcomers are painted in")
    # Per-shot overrides of the project's backend and model (empty: the project's).
    backend: bpy.props.StringProperty(name="Backend", default="")
    model: bpy.props.StringProperty(name="Model", default="")

    def to_wire(self) -> "wire.Beat":
        split = lambda text: [c.strip() for c in text.split(",") if c.strip()]  # noqa: E731
        return wire.Beat(
            index=0, action=self.action, scene_number=self.scene_number, heading=self.heading,
            location=self.location, int_ext=wire.IntExt(self.int_ext), time_of_day=self.time_of_day,
            characters=split(self.characters), entering=split(self.entering), dialogue=self.dialogue,
            speaker=self.speaker, emotion=self.emotion, subject=self.subject,
            shot=wire.ShotSpec(size=wire.ShotSize(self.shot_size), angle=wire.CameraAngle(self.angle),
                               lens_mm=self.lens_mm),
            line_start=self.line_start, line_end=self.line_end,
        )

    def from_wire(self, beat: "wire.Beat") -> None:
        self.action = beat.action
        self.heading = beat.heading
        self.scene_number = beat.scene_number
        self.location = beat.location
        self.int_ext = beat.int_ext.value
        self.time_of_day = beat.time_of_day
        self.characters = ", ".join(beat.characters)
        self.entering = ", ".join(beat.entering)
        self.dialogue = beat.dialogue
        self.speaker = beat.speaker
        self.subject = beat.subject
        self.emotion = beat.emotion
        self.shot_size = beat.shot.size.value
        self.angle = beat.shot.angle.value
        self.lens_mm = int(beat.shot.lens_mm)
        self.line_start = beat.line_start
        self.line_end = beat.line_end


class BEATBOARD_PG_choice(bpy.types.PropertyGroup):
    """One thing the server offers (a backend, a model, a LoRA), for the dropdowns."""

    available: bpy.props.BoolProperty(default=True)
    detail: bpy.props.StringProperty()


class BEATBOARD_PG_stored_actor(bpy.types.PropertyGroup):
    """An actor card from the server's actor store (name is the actor's name)."""

    actor_id: bpy.props.StringProperty()
    description: bpy.props.StringProperty(name="Description")
    hints: bpy.props.StringProperty(name="Standing hints", description="Prompt hints learned from recurring notes")
    lora_version: bpy.props.StringProperty(name="LoRA version")
    cast_as: bpy.props.StringProperty(name="Cast as")
    notes: bpy.props.StringProperty(name="Notes", description="The director's latest notes on this actor")
    note_count: bpy.props.IntProperty(name="Note count")
    reference: bpy.props.PointerProperty(name="Reference", type=bpy.types.Image)
    height_m: bpy.props.FloatProperty(name="Height", default=1.75, unit="LENGTH")
    color: bpy.props.FloatVectorProperty(name="Colour", size=3, subtype="COLOR", default=(0.8, 0.8, 0.8),
                                         min=0.0, max=1.0)


class BEATBOARD_PG_note(bpy.types.PropertyGroup):
    """A note in force on the server's board (name is the note's id)."""

    text: bpy.props.StringProperty(name="Note")
    scope: bpy.props.StringProperty(name="Scope")
    shot: bpy.props.StringProperty(name="Shot")
    actor: bpy.props.StringProperty(name="Actor")
    summary: bpy.props.StringProperty(name="Change", description="What the note changes, as the server read it")
    author: bpy.props.StringProperty(name="Author", description="Who gave the note")


class BEATBOARD_PG_casting(bpy.types.PropertyGroup):
    """A script character (name) and the stored actor who plays them in this project."""

    actor_name: bpy.props.StringProperty(name="Actor", description="The stored actor who plays this character")


class BeatboardSceneProps(bpy.types.PropertyGroup):
    script_path: bpy.props.StringProperty(name="Script", subtype="FILE_PATH")
    script_text: bpy.props.PointerProperty(name="Script text", type=bpy.types.Text)
    beat_count: bpy.props.IntProperty(name="Beats", default=6, min=1, max=200)
    focus: bpy.props.StringProperty(name="Focus", description="A director's pointer, e.g. 'focus on Alice's reaction'")
    extractor: bpy.props.EnumProperty(
        name="Beats from",
        items=[("auto", "Auto", "The server's LLM when it has one configured, else the offline extractor"),
               ("offline", "Offline", "The screenplay-aware offline extractor: nothing leaves this machine"),
               ("llm", "LLM", "The LLM configured on the server (falls back to offline with a warning)")],
        default="auto",
    )
    beats: bpy.props.CollectionProperty(type=BEATBOARD_PG_beat)
    active_beat: bpy.props.IntProperty(name="Active beat")
    title: bpy.props.StringProperty(name="Title")
    board_id: bpy.props.StringProperty(name="Board", description="This board on the render server")
    project: bpy.props.StringProperty(
        name="Project", default="default",
        description="The project on the render server this .blend belongs to (its id or name); every board, "
                    "render, casting and note goes there")
    board_revision: bpy.props.IntProperty(name="Board revision", description="The server's board as last read")
    watching: bpy.props.BoolProperty(name="Live notes", description="The note list follows the server's board")
    style: bpy.props.StringProperty(name="Style", default="cinematic film still",
                                    description="How frames should look; the server adds it to every prompt")
    backend: bpy.props.StringProperty(name="Backend", default="", description="Empty: the server's default")
    seed: bpy.props.IntProperty(name="Seed", default=1234, min=0)
    model: bpy.props.StringProperty(name="Model", default="", description="Empty: the server's configured model")
    steps: bpy.props.IntProperty(name="Steps", default=20, min=1, max=150)
    variations: bpy.props.IntProperty(name="Variations", default=1, min=1, max=8)
    depth_scale: bpy.props.FloatProperty(
        name="Depth resolution", default=1.0, min=0.05, max=1.0,
        description="Depth and masks are traced at this fraction of the render resolution",
    )
    output_dir: bpy.props.StringProperty(
        name="Frames folder", default="//beatboard_frames", subtype="DIR_PATH",
        description="Where rendered frames are saved ('//' is next to the .blend)",
    )
    # Filled by Refresh Models from the server's GET /v1/models.
    offered_backends: bpy.props.CollectionProperty(type=BEATBOARD_PG_choice)
    offered_models: bpy.props.CollectionProperty(type=BEATBOARD_PG_choice)
    offered_loras: bpy.props.CollectionProperty(type=BEATBOARD_PG_choice)
    # Filled by Refresh Actors from the server's actor store; casting is saved in the .blend
    # and, with Save Casting, on the server for every later project.
    stored_actors: bpy.props.CollectionProperty(type=BEATBOARD_PG_stored_actor)
    casting: bpy.props.CollectionProperty(type=BEATBOARD_PG_casting)
    active_casting: bpy.props.IntProperty(name="Active character")
    # The director's note on the active take, and whom it is for.
    feedback_note: bpy.props.StringProperty(name="Note")
    feedback_scope: bpy.props.EnumProperty(
        name="For", items=[("SHOT", "This shot", ""), ("ACTOR", "One actor", ""), ("BOARD", "The whole board", "")],
        default="SHOT")
    feedback_actor: bpy.props.StringProperty(name="Actor", description="The character the note is about")
    notes_in_force: bpy.props.CollectionProperty(type=BEATBOARD_PG_note)
    status: bpy.props.StringProperty(name="Status")
    progress: bpy.props.FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR")
    busy: bpy.props.BoolProperty(name="Busy")
    last_error: bpy.props.StringProperty(name="Last error")


classes = (BEATBOARD_PG_beat, BEATBOARD_PG_choice, BEATBOARD_PG_stored_actor, BEATBOARD_PG_note, BEATBOARD_PG_casting,
           BeatboardSceneProps)
