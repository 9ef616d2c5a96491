"""Who in a script is a person who can be seen: cue kinds, introductions and aliases.

Screenplay conventions, not rules for any one script: a cue with (V.O.), (O.S.), (O.C.) or a
phone/intercom/radio/TV extension is a voice; a cue naming a VOICE, a machine or a crowd is
never a person in the frame; a sound written in capitals ("BANG. DARKNESS.") is not a cue;
"ALEX ROCHE" and "ROCHE", "MR. X" and "X", "DR. JULIUS BENNETT" and "DR. BENNETT" are one
person, but "YOUNG MIKE" is not "MIKE" (another age is another actor on a board).
"""

from __future__ import annotations

import re

VOICE_EXTENSION = re.compile(
    r"\(\s*(?:[^)]*?\b)?(?:V\.?\s?[O0]\.?|O\.?\s?S\.?|O\.?\s?C\.?|OS|OC|VO|ON (?:THE )?PHONE|PHONE|OVER PHONE|"
    r"INTERCOM|RADIO|T\.?V\.?|ON TV|SPEAKER|SPEAKERPHONE|ON SPEAKER|FILTERED|PRE-?LAP|RECORD(?:ED|ING)|TAPE|"
    r"VOICE ?MAIL|MESSAGE|WALKIE|WALKIE-TALKIE|HEADSET|COMM|ON SCREEN|SUBTITLED VOICE|OFF)\b[^)]*\)", re.I)
# A parenthetical under the cue that makes the line a voice: "(over the phone)", "(on intercom)".
VOICE_PARENTHETICAL = re.compile(r"\b(over the phone|on the phone|into the phone|phone|intercom|radio|"
                                 r"speaker|walkie|headset|filtered|recorded|on tv|on the tv|on screen)\b", re.I)

_VOICE_WORDS = frozenset("VOICE VOICES NARRATOR".split())
_DEVICE_WORDS = frozenset(
    "MACHINE TV TELEVISION RADIO INTERCOM SPEAKER LOUDSPEAKER PA P.A. COMPUTER RECORDING TAPE VOICEMAIL "
    "ANSWERPHONE SPEAKERPHONE PHONE TELEPHONE CELLPHONE SIGN SCREEN MONITOR SUPER TITLE CARD CHYRON "
    "ANNOUNCEMENT BROADCAST GPS ALARM SIREN".split())
_CROWD_WORDS = frozenset(
    "CROWD AUDIENCE ALL EVERYONE EVERYBODY VARIOUS TOWNFOLK TOWNSFOLK TOWNSPEOPLE PEOPLE GROUP CHORUS BOTH "
    "TOGETHER OTHERS CROWDS SPECTATORS FANS MOB CONGREGATION CLASS STUDENTS SOLDIERS GUESTS".split())
_SOUND_WORDS = frozenset(
    "BANG BOOM CRASH SMASH THUD BEEP BEEPS RING RINGS CLICK SLAM WHAM POW BAM THWACK KNOCK KNOCKS SILENCE "
    "DARKNESS BLACK APPLAUSE LAUGHTER SCREAM SCREAMS GUNSHOT GUNSHOTS EXPLOSION SPLASH CLAP ROAR ROARS BUZZ".split())
_AGE_WORDS = frozenset("YOUNG YOUNGER OLD OLDER LITTLE TEEN TEENAGE ADULT BABY ELDERLY FUTURE PAST".split())
_HONORIFICS = frozenset("MR. MRS. MS. MISS DR. MR MRS MS DR SIR LADY LORD AUNT UNCLE".split())
# The nouns a screenwriter uses for an unnamed person introduced in capitals: "A WORKER".
PERSON_NOUNS = frozenset(
    "MAN WOMAN GUY GIRL BOY KID CHILD LADY GENTLEMAN TEENAGER TEEN OFFICER COP GUARD NURSE DOCTOR WORKER "
    "DRIVER WAITER WAITRESS BARTENDER CLERK CASHIER SOLDIER PRIEST JUDGE TEACHER STUDENT SECRETARY RECEPTIONIST "
    "ASSISTANT MANAGER BOSS STRANGER THUG AGENT DETECTIVE SHERIFF DEPUTY MOTHER FATHER MOM DAD SON DAUGHTER "
    "BROTHER SISTER HUSBAND WIFE GRANDMA GRANDPA GRANDMOTHER GRANDFATHER FARMER REPORTER JOURNALIST "
    "PHOTOGRAPHER PILOT SAILOR CAPTAIN SERGEANT LIEUTENANT COLONEL GENERAL SCIENTIST TECHNICIAN ENGINEER "
    "JANITOR MAILMAN POSTMAN VENDOR SALESMAN SALESWOMAN CUSTOMER PATIENT SURGEON PARAMEDIC FIREMAN FIREFIGHTER "
    "POLICEMAN POLICEWOMAN REFEREE ANNOUNCER HOST HOSTESS BUTLER MAID LANDLORD LANDLADY NEIGHBOR NEIGHBOUR "
    "MONK NUN KING QUEEN PRINCE PRINCESS KNIGHT WITCH GIANT CLOWN BOUNCER DEALER GUNMAN HITMAN KILLER "
    "PROSTITUTE HOOKER BEGGAR HOMELESS TOURIST PASSENGER CONDUCTOR DATE FRIEND PARTNER LAWYER ATTORNEY "
    "MINISTER MAYOR PRESIDENT SENATOR CEO EXECUTIVE INTERN SUPERVISOR FOREMAN CHEF COOK BAKER FLORIST "
    "BARBER TAILOR SHOPKEEPER OWNER PARENT TWIN TWINS".split())


def words(name: str) -> list[str]:
    return name.replace("&", " & ").split()


def is_voice_cue_extension(raw_cue: str) -> bool:
    return bool(VOICE_EXTENSION.search(raw_cue))


def cue_kind(name: str) -> str:
    """'person', 'voice' (a VOICE or NARRATOR, never seen), 'device', 'crowd' or 'sound'."""
    parts = [w.strip(".,!?:;'\"") for w in words(name)]
    parts = [p[:-2] if p.endswith("'S") else p for p in parts]
    if not parts:
        return "sound"
    if any(p in _VOICE_WORDS for p in parts):
        return "voice"
    if any(p in _DEVICE_WORDS for p in parts) and not any(p in PERSON_NOUNS for p in parts[-1:]):
        return "device"
    if any(p in _CROWD_WORDS for p in parts):
        return "crowd"
    if parts[0] in _SOUND_WORDS or name.rstrip().endswith(("!", "?")) or (
            name.rstrip().endswith(".") and parts[-1] not in _HONORIFICS and len(parts) > 1) or (
            re.search(r"[A-Z]\. [A-Z]", name) and parts[0] not in _HONORIFICS and len(parts[0]) > 2):
        return "sound"
    return "person"


def split_group(name: str, known: set[str]) -> list[str]:
    """'WALT & SKYLER' -> ['WALT', 'SKYLER'] when both are characters; else [name]."""
    parts = [p.strip() for p in re.split(r"\s*(?:&|\bAND\b|/)\s*", name) if p.strip()]
    if len(parts) > 1 and all(p in known for p in parts):
        return parts
    return [name]


def fold_aliases(names: list[str], weight: dict[str, int]) -> dict[str, str]:
    """name -> the character it is another form of ({} entries for names that stand alone).

    A longer name folds into a shorter one whose words it contains ("ALEX ROCHE" -> "ROCHE",
    "MR. X" -> "X", "DR. JULIUS BENNETT" -> "DR. BENNETT") when the extra words are not an age
    or a possessive ("YOUNG MIKE", "MIKE'S DAD" stay themselves) and only one target fits; the
    form used more often (lines spoken, then mentions) is the one kept.
    """
    folded: dict[str, str] = {}
    by_word: dict[str, list[str]] = {}
    for name in names:
        for word in set(words(name)):
            by_word.setdefault(word, []).append(name)
    for name in names:
        mine = words(name)
        if len(mine) < 2:
            continue
        targets = []
        for other in dict.fromkeys(o for w in mine for o in by_word.get(w, ())):
            theirs = words(other)
            if other == name or len(theirs) >= len(mine) or not set(theirs) <= set(mine):
                continue
            extra = [w for w in mine if w not in theirs]
            if any(w in _AGE_WORDS or w.endswith("'S") for w in extra):
                continue
            if all(w in PERSON_NOUNS or w in _HONORIFICS for w in theirs):
                continue  # "SOPHISTICATED WOMAN" is not the script's "WOMAN"
            targets.append(other)
        targets = [t for t in targets if not any(t != u and set(words(u)) > set(words(t)) for u in targets)]
        if len(targets) == 1:
            target = targets[0]
            if weight.get(name, 0) > weight.get(target, 0) * 3 and weight.get(target, 0) < 2:
                continue  # the short form is the rare one: keep the full name
            folded[name] = target
    # Follow chains (A -> B -> C) to the end.
    for name in list(folded):
        seen = {name}
        while folded[name] in folded and folded[name] not in seen:
            seen.add(folded[name])
            folded[name] = folded[folded[name]]
    return folded
