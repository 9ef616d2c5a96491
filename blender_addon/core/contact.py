"""Contact beats: one person punches, grabs, hugs or kisses another. Pure Python.

A storyboard artist stages these within reach, the two facing each other, the one who acts
in the pose of the act, the camera on both. Blocking (staging.py) and the audit's reach rule
read the same parse, so what blocking does is what the audit checks.

The parse is deliberately narrow: a contact verb whose object is a person (a name of the
beat's people or him / her / them / each other), or "X and Y hug" with no object. "Mara
slams notes on the table" and "the wave hits the hull" are not contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Verb stem -> (pose from core/mannequin.POSES, centre-to-centre distance in metres).
# A strike lands at arm's length (the punch pose's fist is 0.42 of height ahead of the
# shoulder, plus the target's half-depth); a grip holds closer; an embrace closer still.
STRIKE, GRIP, EMBRACE = 0.8, 0.62, 0.4
CONTACT_VERBS = {
    "punch": ("punch", STRIKE), "hit": ("punch", STRIKE), "strike": ("punch", STRIKE),
    "slap": ("punch", STRIKE), "smack": ("punch", STRIKE), "slug": ("punch", STRIKE), "sock": ("punch", STRIKE),
    "jab": ("punch", STRIKE), "kick": ("punch", STRIKE), "stab": ("punch", STRIKE), "elbow": ("punch", STRIKE),
    "headbutt": ("punch", STRIKE), "beat": ("punch", STRIKE), "clock": ("punch", STRIKE),
    "backhand": ("punch", STRIKE), "whack": ("punch", STRIKE), "thump": ("punch", STRIKE),
    "grab": ("punch", GRIP), "grasp": ("punch", GRIP), "seize": ("punch", GRIP), "slam": ("hug", GRIP),
    "shove": ("hug", GRIP), "push": ("hug", GRIP), "strangle": ("hug", GRIP), "choke": ("hug", GRIP),
    "throttle": ("hug", GRIP), "tackle": ("hug", GRIP), "pin": ("hug", GRIP), "wrestle": ("hug", GRIP),
    "drag": ("punch", GRIP), "pull": ("punch", GRIP), "restrain": ("hug", GRIP), "attack": ("punch", STRIKE),
    "hug": ("hug", EMBRACE), "embrace": ("hug", EMBRACE), "kiss": ("hug", EMBRACE), "hold": ("hug", EMBRACE),
    "cradle": ("hug", EMBRACE), "comfort": ("hug", EMBRACE),
    "sting": ("punch", STRIKE), "rip": ("punch", GRIP), "yank": ("punch", GRIP), "press": ("hug", GRIP),
}
# Verbs that act on a person through a part of them ("rips her hair", "presses her head against
# the table"), and the parts: "presses the button", "rips the letter", "presses her hands
# together" name no one else's body.
BODY_PARTS = frozenset("hair head face neck throat arm arms wrist wrists shoulder shoulders collar jaw chin ear".split())
THROUGH_A_PART = {"rip": BODY_PARTS, "yank": BODY_PARTS, "grab": BODY_PARTS, "grasp": BODY_PARTS,
                  "seize": BODY_PARTS, "pull": BODY_PARTS, "press": frozenset(("head", "neck", "throat"))}
# Verbs that take no object when two people do them together: "Anna and Ben embrace".
MUTUAL = ("hug", "embrace", "kiss", "fight", "wrestle", "grapple", "struggle")
MUTUAL_VERBS = {**{v: CONTACT_VERBS[v] for v in MUTUAL if v in CONTACT_VERBS},
                "fight": ("punch", STRIKE), "grapple": ("hug", GRIP), "struggle": ("hug", GRIP)}
PRONOUNS = ("him", "her", "them", "each other", "one another")

REACH_SLACK = 0.25          # the audit allows this much beyond a verb's distance
MIN_DISTANCE = 0.25         # closer, and two bodies are inside each other
FACING_TOLERANCE = 40.0     # degrees off looking straight at the other


@dataclass(frozen=True)
class Contact:
    actor: str        # who acts
    target: str       # who is acted on
    verb: str         # the stem found
    pose: str         # the actor's pose
    distance: float   # metres between the two, centre to centre

    @property
    def says(self) -> str:
        """'MIKE punches JOE'."""
        verb = {"struck": "strike"}.get(self.verb, self.verb)
        return f"{self.actor} {verb}{'es' if verb.endswith(('s', 'sh', 'ch', 'x')) else 's'} {self.target}"

    @property
    def max_distance(self) -> float:
        return self.distance + REACH_SLACK


def _forms(stem: str) -> list[str]:
    """punch -> punch punches punched punching; hit -> hit hits hitting; hug -> hugging."""
    forms = {stem, stem + "s", stem + "es", stem + "ed", stem + "d", stem + "ing"}
    if stem.endswith("e"):
        forms |= {stem[:-1] + "ing"}
    if re.fullmatch(r"[^aeiou]*[aeiou][bcdgklmnprstvz]", stem):   # hit -> hitting, grab -> grabbed
        forms |= {stem + stem[-1] + "ing", stem + stem[-1] + "ed"}
    return sorted(forms, key=len, reverse=True)


_VERB_OF = {form: stem for stem in CONTACT_VERBS for form in _forms(stem)}
_MUTUAL_OF = {form: stem for stem in MUTUAL_VERBS for form in _forms(stem)}
# Words that may stand between a verb and the name it acts on ("punches at young MIKE").
_FILLER = r"(?:the|a|an|young|old|little|big|poor|older|younger)"
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _name_spans(sentence: str, people: list[str]) -> list[tuple[int, int, str]]:
    spans = []
    for name in people:
        forms = {name.upper(), name.title(), name}
        last = name.split()[-1]
        if " " in name and len(last) >= 3:  # JACK STONE is "Stone" in the action
            forms |= {last.upper(), last.title()}
        for form in forms:
            for m in re.finditer(rf"(?<![\w']){re.escape(form)}(?![\w])", sentence):
                spans.append((m.start(), m.end(), name))
    return sorted(set(spans))


def find_contact(action: str, people: list[str], fallback_actor: str = "") -> Contact | None:
    """The first contact between two of ``people`` that ``action`` describes, or None.

    A sentence that does not name who acts ("He punches MIKE") gives it to the person named
    last before it, else to ``fallback_actor``; "him" / "her" is the person named last other
    than the actor."""
    if len(people) < 2:
        return None
    named_so_far: list[str] = []
    for sentence in _SENTENCE.split(action):
        names = _name_spans(sentence, people)
        for word in _WORD.finditer(sentence):
            low = word.group().lower()
            before = [n for s, e, n in names if e <= word.start()]
            recent = (named_so_far + before)[::-1]
            stem = _VERB_OF.get(low)
            if stem:
                contact = _contact_after(stem, sentence[word.end():], word.end(), names, people, before, recent,
                                         fallback_actor)
                if contact:
                    return contact
            mutual = _MUTUAL_OF.get(low)
            if mutual and before and not stem:
                partner = re.match(rf"\s*with\s+(?:{_FILLER}\s+)?", sentence[word.end():])
                at = word.end() + partner.end() if partner else -1
                other = next((n for s, _, n in names if s == at and n != before[-1]), "")
                if other:
                    pose, distance = MUTUAL_VERBS[mutual]
                    return Contact(before[-1], other, mutual, pose, distance)
            if mutual and len(set(before)) >= 2 and re.search(r"\band\b", sentence[:word.start()]):
                first, second = list(dict.fromkeys(before))[-2:]
                pose, distance = MUTUAL_VERBS[mutual]
                return Contact(first, second, mutual, pose, distance)
        named_so_far += [n for _, _, n in names]
    return None


# After "her", words that show it is the object ("hugs her tightly"), not a possessive
# ("slams her head").
_AFTER_OBJECT = frozenset("""in on to with against into onto back away hard again and but as from by off close
closer tight tightly gently softly down up over across around round twice once repeatedly before until then
while so""".split())


def _contact_after(stem: str, after: str, offset: int, names, people: list[str], before: list[str],
                   recent: list[str], fallback_actor: str) -> Contact | None:
    # The object follows the verb, maybe after "at" / "with" and a word ("punches at young MIKE")
    lead = re.match(rf"\s*(?:(?:at|with|into|onto|on|upon)\s+)?(?:{_FILLER}\s+)?", after)
    gap = len(after) - len(after.lstrip(" "))
    near = {offset + gap, offset + lead.end()} if lead else {offset + gap}
    target = next((n for s, _, n in names if s in near), "")
    actor = before[-1] if before else ""
    part = re.match(r"(his|her|their)\s+([a-z]+)", after.lstrip(" "), re.I)
    if not target and part and part.group(2).lower() in THROUGH_A_PART.get(stem, ()):
        actor = actor or next((n for n in recent if n in people), "") or fallback_actor
        target = _other(people, actor, recent)
    if not target:
        pronoun = re.match(r"(?:(?:at|into|on)\s+)?(him|her|them|each other|one another)\b[\s,]*([a-z]*)",
                           after.lstrip(" "), re.I)  # "punches him", "a series of punches at him"
        if not pronoun or (pronoun.group(1).lower() == "her" and pronoun.group(2)
                           and pronoun.group(2).lower() not in _AFTER_OBJECT):
            return None
        actor = actor or next((n for n in recent if n in people), "") or fallback_actor
        target = _other(people, actor, recent)
    actor = actor if actor and actor != target else _other(people, target, recent + [fallback_actor])
    if not actor or actor == target:
        return None
    pose, distance = CONTACT_VERBS[stem]
    return Contact(actor, target, stem, pose, distance)


def _other(people: list[str], not_this: str, preferred: list[str]) -> str:
    """Someone other than ``not_this``: the most recently named first, else the first present."""
    for name in preferred:
        if name and name != not_this and name in people:
            return name
    return next((p for p in people if p != not_this), "")
