"""Closed vocabularies of the wire. Values are the strings that travel as JSON."""

from __future__ import annotations

from enum import Enum


class ShotSize(str, Enum):
    EWS = "EWS"
    WS = "WS"
    MLS = "MLS"
    MS = "MS"
    MCU = "MCU"
    CU = "CU"
    ECU = "ECU"
    TWO_SHOT = "TWO_SHOT"
    OTS_LEFT = "OTS_LEFT"
    OTS_RIGHT = "OTS_RIGHT"
    POV = "POV"
    INSERT = "INSERT"


class CameraAngle(str, Enum):
    BIRD = "BIRD"
    HIGH = "HIGH"
    EYE = "EYE"
    LOW = "LOW"
    WORM = "WORM"
    DUTCH = "DUTCH"


class CameraMove(str, Enum):
    STATIC = "STATIC"
    PAN = "PAN"
    TILT = "TILT"
    DOLLY = "DOLLY"
    TRACK = "TRACK"
    CRANE = "CRANE"
    HANDHELD = "HANDHELD"
    ZOOM = "ZOOM"


class IntExt(str, Enum):
    INT = "INT"
    EXT = "EXT"
    INT_EXT = "INT/EXT"
    UNKNOWN = "UNKNOWN"


class SensorFit(str, Enum):
    AUTO = "AUTO"
    HORIZONTAL = "HORIZONTAL"
    VERTICAL = "VERTICAL"


class KeypointVisibility(str, Enum):
    VISIBLE = "VISIBLE"
    OCCLUDED = "OCCLUDED"
    OUT_OF_FRAME = "OUT_OF_FRAME"


class JobKind(str, Enum):
    RENDER = "RENDER"
    TRAIN_LORA = "TRAIN_LORA"  # runs on the same worker, only while no render is waiting


class JobState(str, Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class EventKind(str, Enum):
    QUEUED = "QUEUED"
    STARTED = "STARTED"
    PROGRESS = "PROGRESS"
    FRAME = "FRAME"
    REQUEUED = "REQUEUED"
    DONE = "DONE"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"


class FeedbackScope(str, Enum):
    SHOT = "SHOT"
    ACTOR = "ACTOR"
    BOARD = "BOARD"


class Verdict(str, Enum):
    NONE = "NONE"
    APPROVE = "APPROVE"
    REJECT = "REJECT"


class ErrorCode(str, Enum):
    BAD_REQUEST = "bad_request"
    VALIDATION = "validation_error"
    SCHEMA_MISMATCH = "schema_mismatch"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNAUTHORIZED = "unauthorized"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    BACKEND_UNAVAILABLE = "backend_unavailable"
    RENDER_FAILED = "render_failed"
    WORKER_LOST = "worker_lost"
    SERVER_UNREACHABLE = "server_unreachable"
    INTERNAL = "internal_error"
