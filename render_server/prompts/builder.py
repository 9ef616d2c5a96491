"""The prompt builder: the only code that writes a frame's prompt.

The add-on sends the shot as fields (``RenderRequest.description``, each placement's
emotion and intensity); the casting step fills in each cast actor's description and
standing hints; the board fills in the notes in force. This module phrases all of it once
per backend: comma-separated tags for the Stable Diffusion families (previs draws the same
tags into its metadata), with performance weights in compel's syntax (``(frightened)1.3``),
and a plain sentence for image APIs. Each actor's description and hints appear once; the
word "storyboard" never does (it makes models draw grids of panels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared_schema import ActorPlacement, RenderRequest, ShotDescription

from .vocabulary import ANGLE_WORDS, DEFAULT_STYLE, INT_EXT_WORDS, SHOT_WORDS, emotion_look

SENTENCE_BACKENDS = {"openai"}
# Image APIs get the previs frame as their reference image; the sentence says how to use it.
REFERENCE_SENTENCE = ("Keep the composition, camera angle and the placement of the people exactly as in the "
                      "reference image; replace the grey mannequins with real people")
NEGATIVE_TAGS = "text, watermark, caption, split screen, multiple panels, comic, deformed hands"
_BANNED = re.compile(r"\bstory\s*-?\s*boards?\b", re.IGNORECASE)
MIN_INTENSITY, MAX_INTENSITY = 0.0, 2.0


@dataclass
class Composed:
    prompt: str
    negative: str = ""
    actor_prompts: dict[str, str] = field(default_factory=dict)


def prompt_style(backend: str) -> str:
    return "sentence" if backend in SENTENCE_BACKENDS else "tags"


def weight_of(intensity: float) -> float:
    """Intensity 0-2 (1 is plain) -> a compel weight 0.6-1.4."""
    clamped = min(MAX_INTENSITY, max(MIN_INTENSITY, intensity))
    return round(0.6 + 0.4 * clamped, 2)


def _clean(text: str) -> str:
    return " ".join(_BANNED.sub("", text or "").split()).strip(" ,.;")


def _unique(parts: list[str]) -> list[str]:
    """Each phrase once: one already said (alone or inside an earlier phrase) is dropped."""
    out: list[str] = []
    for part in (_clean(p) for p in parts):
        said = re.compile(r"(?<![\w-])" + re.escape(part.lower()) + r"(?![\w-])")
        if part and not any(said.search(earlier.lower()) for earlier in out):
            out.append(part)
    return out


def _display_name(name: str) -> str:
    return name.title() if name.isupper() else name


def _performance_tag(actor: ActorPlacement) -> str:
    if not actor.emotion or actor.emotion.lower() == "neutral":
        return ""
    look = emotion_look(actor.emotion)
    weight = weight_of(actor.intensity)
    return f"({look}){weight:g}" if weight != 1.0 else look


def _performance_words(actor: ActorPlacement) -> str:
    if not actor.emotion or actor.emotion.lower() == "neutral":
        return ""
    degree = "slightly " if actor.intensity < 0.6 else "very " if actor.intensity > 1.4 else ""
    return f"{degree}{emotion_look(actor.emotion)}"


def _actor_tags(actor: ActorPlacement) -> str:
    parts = _unique([actor.description, *actor.prompt_hints])
    performance = _performance_tag(actor)
    text = _display_name(actor.name)
    if parts:
        text += f" ({', '.join(parts)})"
    if performance:
        text += f" looking {performance}"
    return text


def _actor_sentence(actor: ActorPlacement) -> str:
    parts = _unique([actor.description, *actor.prompt_hints])
    text = _display_name(actor.name) + (f" ({'; '.join(parts)})" if parts else "")
    performance = _performance_words(actor)
    return f"{text} looks {performance}" if performance else text


def _setting(d: ShotDescription) -> list[str]:
    place = d.location.lower() if d.location else ""
    where = f"{INT_EXT_WORDS[d.int_ext.value]} of a {place}" if place and d.int_ext.value in INT_EXT_WORDS else place
    return [where, d.time_of_day.lower(), d.weather.lower()]


def _description(request: RenderRequest) -> ShotDescription:
    # A request without fields (older clients, scripts) gives its prompt as the action.
    return request.description or ShotDescription(action=request.prompt)


def _tags(request: RenderRequest, d: ShotDescription) -> str:
    camera = [SHOT_WORDS.get(d.shot.size.value, ""), ANGLE_WORDS.get(d.shot.angle.value, "")
              if d.shot.angle.value != "EYE" else "", f"{d.shot.lens_mm}mm lens"] if request.description else []
    mood = f"{emotion_look(d.emotion)} mood" if d.emotion and d.emotion.lower() != "neutral" else ""
    speaking = f"{_display_name(d.speaker)} speaking" if d.speaker and d.dialogue else ""
    parts = [*camera, *_setting(d), d.action, *(_actor_tags(a) for a in request.actors), speaking, mood, *d.notes,
             d.style or DEFAULT_STYLE]
    return ", ".join(_unique(parts))


def _sentence(request: RenderRequest, d: ShotDescription) -> str:
    style = (d.style or DEFAULT_STYLE).capitalize()
    shot = SHOT_WORDS.get(d.shot.size.value, "shot")
    angle = ANGLE_WORDS.get(d.shot.angle.value, "eye level")
    sentences = [f"{style}, a {shot} at {angle} with a {d.shot.lens_mm}mm lens" if request.description else style]
    setting = _unique(_setting(d))
    if setting:
        sentences.append(", ".join(setting).capitalize())
    if d.action:
        sentences.append(_clean(d.action))
    sentences += [_actor_sentence(a) for a in request.actors]
    if d.emotion and d.emotion.lower() != "neutral":
        sentences.append(f"The mood is {emotion_look(d.emotion)}")
    sentences += _unique(d.notes)
    sentences.append(REFERENCE_SENTENCE)
    return ". ".join(s.rstrip(".") for s in sentences if s) + "."


def _actor_prompt(request: RenderRequest, d: ShotDescription, actor: ActorPlacement) -> str:
    """The prompt of one actor's region (diffusers' per-actor inpaint pass)."""
    return ", ".join(_unique([_actor_tags(actor), *_setting(d), d.style or DEFAULT_STYLE]))


def compose(request: RenderRequest, backend: str) -> Composed:
    d = _description(request)
    sentence = prompt_style(backend) == "sentence"
    if request.prompt_override.strip():
        prompt = _clean(request.prompt_override)
    else:
        prompt = _sentence(request, d) if sentence else _tags(request, d)
    negative = request.negative_prompt or ("" if sentence else NEGATIVE_TAGS)
    actor_prompts = {a.name: _actor_prompt(request, d, a) for a in request.actors}
    return Composed(prompt, negative, actor_prompts)


def compose_into(request: RenderRequest, backend: str) -> RenderRequest:
    """Write the composed prompts into the request before it is stored with its job."""
    composed = compose(request, backend)
    request.prompt = composed.prompt
    request.negative_prompt = composed.negative
    for actor in request.actors:
        actor.prompt = composed.actor_prompts[actor.name]
    return request
