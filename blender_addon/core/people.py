"""Who in a beat's character list is a person to stage, and who is only heard or is a thing.

Beats name speakers from the script's cues, so a phone voice, an answering machine or a
radio arrive as "characters". Blocking must not stand them on the floor as mannequins,
and the audit flags any that slip through. Pure Python.
"""

from __future__ import annotations

import re

# Words that make a cue a voice, a device or a sound rather than someone in the room.
NOT_A_PERSON_WORDS = frozenset("""
VOICE VOICES V.O. O.S. O.C. NARRATOR NARRATION PHONE TELEPHONE CELLPHONE MACHINE RADIO TV
TELEVISION INTERCOM LOUDSPEAKER SPEAKERPHONE P.A. ANNOUNCEMENT RECORDING RECORDED TAPE VOICEMAIL
MESSAGE COMPUTER SFX SOUND SOUNDS NOISE ALARM SIREN BEEP RINGTONE ECHO SCREEN MONITOR ROBOTIC
""".split())

# Prop nouns a beat may name as a character by mistake ("THE DOOR", "CAR").
PROP_WORDS = frozenset("""
DOOR CAR TABLE CHAIR DESK COUNTER BED WINDOW STAIRS SUITCASE BAG PHONE CUP FLASHLIGHT TORCH GUN BOOK
PAPER BOX BOXES TRUCK BUS TRAIN BOAT SHIP CLOCK LETTER NOTE KNIFE
""".split())

_WORD = re.compile(r"[A-Z0-9.']+")


def not_a_person(name: str) -> str:
    """Why ``name`` should not be staged as a person ("" when it is one)."""
    words = _WORD.findall(name.upper().replace("(", " ").replace(")", " "))
    for word in words:
        if word in NOT_A_PERSON_WORDS or word.rstrip(".") in NOT_A_PERSON_WORDS:
            return f"{name!r} is a voice or device ({word.lower()}), heard not seen"
    if any(w in PROP_WORDS for w in words) and all(w in PROP_WORDS or w in ("THE", "A", "AN") for w in words):
        return f"{name!r} is a prop, not a person"
    return ""


def people_of(names: list[str]) -> list[str]:
    return [n for n in names if not not_a_person(n)]


def named_in(action: str, cast: list[str]) -> list[str]:
    """People of the board's cast that an action names as a screenplay would: in capitals
    (as introduced) or in title case, whole words, names of three letters or more."""
    found = []
    for name in cast:
        if len(name) < 3 or not_a_person(name):
            continue
        for form in (name.upper(), name.title()):
            if re.search(rf"(?<![\w']){re.escape(form)}(?![\w'])", action):
                found.append(name)
                break
    return found


_ENTRANCE = re.compile(r"\b(?:enters?|bursts?|barges?|comes? in|walks? in|steps? in|arrives?|appears?)\b", re.I)


def enters(name: str, action: str) -> bool:
    """Does a sentence of the action that names ``name`` bring them in?"""
    forms = (name.upper(), name.title())
    return any(_ENTRANCE.search(s) for s in re.split(r"(?<=[.!?])\s+", action) if any(f in s for f in forms))
