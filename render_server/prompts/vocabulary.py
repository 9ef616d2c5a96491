"""Words the prompt builder and the note rules share: emotions as a face shows them, shot
grammar as a camera operator says it."""

from __future__ import annotations

# Emotion (as beats and notes name it) -> how a face or body shows it in a picture.
EMOTION_LOOKS: dict[str, str] = {
    "fear": "frightened",
    "anger": "angry",
    "sadness": "sad",
    "grief": "grieving, on the verge of tears",
    "tears": "almost in tears",
    "joy": "joyful",
    "surprise": "surprised",
    "tension": "tense",
    "calm": "calm",
    "disgust": "disgusted",
    "love": "tender",
    "shame": "ashamed",
    "determination": "determined",
    "exhaustion": "exhausted",
    "suspicion": "suspicious",
    "confusion": "confused",
    "relief": "relieved",
    "pride": "proud",
    "expressive": "expressive",
}

SHOT_WORDS: dict[str, str] = {
    "EWS": "extreme wide shot", "WS": "wide shot", "MLS": "medium long shot", "MS": "medium shot",
    "MCU": "medium close-up", "CU": "close-up", "ECU": "extreme close-up", "TWO_SHOT": "two-shot",
    "OTS_LEFT": "over-the-shoulder shot", "OTS_RIGHT": "over-the-shoulder shot", "POV": "point-of-view shot",
    "INSERT": "insert shot",
}

ANGLE_WORDS: dict[str, str] = {
    "BIRD": "bird's-eye view", "HIGH": "high angle", "EYE": "eye level", "LOW": "low angle",
    "WORM": "worm's-eye view", "DUTCH": "dutch angle",
}

INT_EXT_WORDS: dict[str, str] = {"INT": "interior", "EXT": "exterior", "INT/EXT": "interior and exterior"}

DEFAULT_STYLE = "cinematic film still"


def emotion_look(emotion: str) -> str:
    key = emotion.strip().lower()
    return EMOTION_LOOKS.get(key, key)
