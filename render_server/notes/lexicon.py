"""The offline note lexicon: which words of a director's note mean which structured change.

Every table here is documented in README.md ("Notes that act"); the rules in rules.py only
combine them. Patterns are regular expressions matched on the lower-cased note after
negated phrases ("not morning", "instead of rain") are taken out.
"""

from __future__ import annotations

from shared_schema import CameraAngle, ShotSize

# Emotion words -> (canonical emotion, intensity the word itself carries).
EMOTIONS: dict[str, tuple[str, float]] = {
    "frightened": ("fear", 1.0), "scared": ("fear", 1.0), "afraid": ("fear", 1.0), "fearful": ("fear", 1.0),
    "fear": ("fear", 1.0), "terrified": ("fear", 1.7), "panicked": ("fear", 1.6), "nervous": ("fear", 0.6),
    "angry": ("anger", 1.0), "angrier": ("anger", 1.0), "anger": ("anger", 1.0), "furious": ("anger", 1.7),
    "mad": ("anger", 1.0), "annoyed": ("anger", 0.6), "irritated": ("anger", 0.6), "rage": ("anger", 1.8),
    "sad": ("sadness", 1.0), "sadder": ("sadness", 1.0), "sadness": ("sadness", 1.0), "upset": ("sadness", 0.8),
    "heartbroken": ("sadness", 1.7), "melancholy": ("sadness", 0.8), "grief": ("grief", 1.2),
    "in tears": ("tears", 1.0), "crying": ("tears", 1.3), "tearful": ("tears", 0.9), "tears": ("tears", 1.0),
    "happy": ("joy", 1.0), "happier": ("joy", 1.0), "joyful": ("joy", 1.2), "smiling": ("joy", 0.8),
    "smile": ("joy", 0.8), "delighted": ("joy", 1.3), "cheerful": ("joy", 1.0),
    "surprised": ("surprise", 1.0), "shocked": ("surprise", 1.5), "startled": ("surprise", 1.2),
    "astonished": ("surprise", 1.4),
    "tense": ("tension", 1.0), "tenser": ("tension", 1.0), "anxious": ("tension", 1.0), "uneasy": ("tension", 0.8),
    "worried": ("tension", 0.9),
    "calm": ("calm", 1.0), "calmer": ("calm", 1.0), "relaxed": ("calm", 1.0), "composed": ("calm", 0.9),
    "determined": ("determination", 1.0), "defiant": ("determination", 1.3), "resolute": ("determination", 1.0),
    "tired": ("exhaustion", 0.8), "exhausted": ("exhaustion", 1.3), "weary": ("exhaustion", 1.0),
    "suspicious": ("suspicion", 1.0), "wary": ("suspicion", 0.8),
    "confused": ("confusion", 1.0), "puzzled": ("confusion", 0.8),
    "relieved": ("relief", 1.0), "disgusted": ("disgust", 1.0),
    "ashamed": ("shame", 1.0), "guilty": ("shame", 0.9),
    "tender": ("love", 1.0), "loving": ("love", 1.0), "affectionate": ("love", 0.9),
    "neutral": ("neutral", 1.0), "blank": ("neutral", 1.0), "deadpan": ("neutral", 1.0),
}

# Words before an emotion that set how strongly (absolute) or change it (relative).
INTENSITY_ABSOLUTE: dict[str, float] = {
    "slightly": 0.5, "a little": 0.5, "a bit": 0.5, "barely": 0.3, "almost": 0.8, "nearly": 0.8,
    "on the verge of": 0.8, "very": 1.6, "really": 1.6, "extremely": 1.9, "totally": 1.8, "utterly": 1.9,
}
# Before a comparative ("much angrier", "a bit sadder").
COMPARATIVE_DEGREE: dict[str, float] = {"much": 1.0, "a lot": 1.0, "way": 1.0, "far": 1.0, "even": 0.75,
                                        "a bit": 0.25, "a little": 0.25, "slightly": 0.25}
INTENSITY_RELATIVE: dict[str, float] = {
    "much more": 1.0, "a lot more": 1.0, "way more": 1.0, "far more": 1.0, "even more": 0.75,
    "a bit more": 0.25, "a little more": 0.25, "slightly more": 0.25, "more": 0.5,
    "much less": -1.0, "a lot less": -1.0, "a bit less": -0.25, "a little less": -0.25, "slightly less": -0.25,
    "less": -0.5, "not so": -0.5, "not as": -0.5, "tone down": -0.5, "dial back": -0.5, "too": -0.5,
}
# "more expressive", "bigger performance": the emotion stays, its strength changes.
PERFORMANCE_UP = r"\b(expressive|bigger performance|more intense|more emotion(al)?|play it bigger|push (it|the performance))\b"
PERFORMANCE_DOWN = r"\b(subtler|more subtle|understated|smaller performance|play it smaller|underplay|less intense|over-?acting)\b"

# Shot sizes from widest to tightest: "wider" moves one step left, "closer" one step right.
SIZE_LADDER: tuple[ShotSize, ...] = (ShotSize.EWS, ShotSize.WS, ShotSize.MLS, ShotSize.MS, ShotSize.MCU,
                                     ShotSize.CU, ShotSize.ECU)
SIZE_NAMES: list[tuple[str, ShotSize]] = [  # longest first: "extreme close-up" before "close-up"
    (r"extreme close[- ]?up|\becu\b", ShotSize.ECU), (r"medium close[- ]?up|\bmcu\b", ShotSize.MCU),
    (r"close[- ]?up\b|\bcu\b", ShotSize.CU), (r"extreme wide|establishing( shot)?|\bews\b", ShotSize.EWS),
    (r"medium long shot|cowboy( shot)?|\bmls\b|full shot", ShotSize.MLS), (r"medium shot|\bmid shot", ShotSize.MS),
    (r"\bwide shot|\blong shot|\bmake it a wide|\ba wide\b", ShotSize.WS), (r"two[- ]shot|2[- ]shot", ShotSize.TWO_SHOT),
    (r"over (the|her|his|their|\w+'s) shoulder|\bots\b", ShotSize.OTS_LEFT),
    (r"\bpov\b|point of view|through (her|his|their) eyes", ShotSize.POV), (r"\binsert\b", ShotSize.INSERT),
]
WIDER = r"\b(wider(?! lens)|go wide|pull (back|out)|back off|zoom out|more room|see more of|show more of|loosen( it| up)?)\b"
MUCH = r"\b(much|way|a lot|far|even) (wider|closer|tighter)\b"
CLOSER = r"\b(closer|tighter|push in|move in|get in close|zoom in|punch in|in close)\b"

ANGLES: list[tuple[str, CameraAngle]] = [
    (r"bird'?s[- ]eye|overhead|top[- ]down", CameraAngle.BIRD),
    (r"worm'?s[- ]eye|from the (floor|ground)", CameraAngle.WORM),
    (r"\blower angle|\blow angle|from below|shoot(ing)? up|look(ing)? up at (her|him|them)|\blower\b(?! (his|her|the))",
     CameraAngle.LOW),
    (r"\bhigher angle|\bhigh angle|from above|look(ing)? down on|\bhigher\b", CameraAngle.HIGH),
    (r"\bdutch|\btilted|\bcanted", CameraAngle.DUTCH),
    (r"eye[- ]level|straight on", CameraAngle.EYE),
]
LONGER_LENS = r"\b(longer lens|long lens|telephoto|tele\b|compress)"
SHORTER_LENS = r"\b(shorter lens|wider lens|wide[- ]angle lens)"
LENS_STEP_MM = 25
LENS_MM = r"\b(\d{2,3})\s?mm\b"

TIMES: list[tuple[str, str]] = [
    (r"golden hour|magic hour", "GOLDEN HOUR"), (r"\bdawn\b|sunrise|first light|daybreak", "DAWN"),
    (r"\bmorning\b", "MORNING"), (r"\bnoon\b|midday|middle of the day", "NOON"), (r"\bafternoon\b", "AFTERNOON"),
    (r"\bsunset\b", "SUNSET"), (r"\bdusk\b|twilight", "DUSK"), (r"\bevening\b", "EVENING"),
    (r"\bmidnight\b", "MIDNIGHT"), (r"\bnight\b|nighttime|after dark", "NIGHT"), (r"\bdaytime\b|\bday\b", "DAY"),
]
WEATHER: list[tuple[str, str]] = [
    (r"\bstorm|thunder|lightning\b", "storm"), (r"\brain|raining|rainy|downpour|drizzl", "rain"),
    (r"\bfog|foggy|\bmist|misty|haze|hazy", "fog"), (r"\bsnow|snowing|snowy", "snow"), (r"\bwind(y)?\b", "wind"),
    (r"\bsunny|clear sky|clear skies|blue sky", "clear sky"), (r"\bovercast|cloudy|grey sky", "overcast"),
]
DRY = r"\b(no rain|not raining|dry)\b"
LIGHTS: list[tuple[str, str]] = [
    (r"\bdarker|moodier|low[- ]key|more shadow", "low-key lighting, deep shadows"),
    (r"\bbrighter|high[- ]key|more light\b", "bright high-key lighting"),
    (r"candle ?light", "candlelight"), (r"\bneon", "neon light"), (r"back ?lit|silhouette", "backlit silhouette"),
    (r"\bharsh light|hard light", "hard light"), (r"\bsoft light|softer light", "soft diffused light"),
    (r"\bwarmer\b", "warm light"), (r"\bcooler\b|colder light", "cool light"),
]
CONTINUITY = (r"\b(?:same as|match(?:es|ing)?|like|same (?:framing|look|light(?:ing)?|setup) as|"
              r"(?:framing|look|light(?:ing)?|setup) of) (?:in )?shot (\w+)")
NEW_SEED = r"\b(try another|another (one|version|take|variation)|different (take|version|variation)|re-?roll|new seed|try again)\b"
PROPS = r"\b(?:give (?!me\b|us\b|it\b)(?:her|him|them|\w+) (?:an? |the )?|add (?:an? |the )?|with (?:an? |the )|wearing (?:an? |the )?|holding (?:an? |the )?)([a-z][a-z ]{2,40}?)(?=$|[,.;!]| and\b| in\b| on\b)"

# Negation: "evening, not morning" -> morning is dropped before matching.
NEGATED = r"\b(not|isn'?t|no longer|instead of|rather than|never)\s+(?:in\s+the\s+|the\s+|a\s+|an\s+)?([a-z' -]+?)(?=$|[,.;!])"
PRONOUNS = r"\b(she|he|her|him|they|them|his|hers)\b"
