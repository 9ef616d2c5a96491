"""Beats from an OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, LM Studio).

The script is parsed offline first; the model sees it scene by scene with line
numbers, in chunks, and picks the moments. Everything it says is checked against the
parsed script: line numbers must fall in the excerpt, names must be characters of the
script, enums must be ours. Scene, place and time always come from the script, never
from the model. Broken or cut-off JSON is repaired when the complete items survive,
otherwise the model is asked again; an unreachable or unusable endpoint raises
LlmUnavailable and the caller falls back to the offline extractor.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import openai

from shared_schema import Beat, BeatsResponse, CameraAngle, CameraMove, ShotSize, ShotSpec

from ..settings import Settings
from .llm_json import NotJson, loads_lenient
from .offline import beats_from_parsed, scene_report
from .presence import Presence, frame_at, track
from .screenplay import ParsedScript, character_name
from .shot_suggestion import LENS_FOR_SIZE

log = logging.getLogger("beatboard.beats.llm")

SIZE_ALIASES = {
    "EXTREME WIDE": ShotSize.EWS, "EXTREME WIDE SHOT": ShotSize.EWS, "ESTABLISHING": ShotSize.EWS,
    "WIDE": ShotSize.WS, "WIDE SHOT": ShotSize.WS, "LONG SHOT": ShotSize.WS, "FULL SHOT": ShotSize.WS,
    "MEDIUM LONG SHOT": ShotSize.MLS, "COWBOY": ShotSize.MLS, "MEDIUM": ShotSize.MS,
    "MEDIUM SHOT": ShotSize.MS, "MEDIUM CLOSE-UP": ShotSize.MCU, "MEDIUM CLOSE UP": ShotSize.MCU,
    "CLOSE-UP": ShotSize.CU, "CLOSE UP": ShotSize.CU, "CLOSEUP": ShotSize.CU,
    "EXTREME CLOSE-UP": ShotSize.ECU, "EXTREME CLOSE UP": ShotSize.ECU, "TWO SHOT": ShotSize.TWO_SHOT,
    "TWO-SHOT": ShotSize.TWO_SHOT, "2-SHOT": ShotSize.TWO_SHOT, "OTS": ShotSize.OTS_LEFT,
    "OVER THE SHOULDER": ShotSize.OTS_LEFT,
}

SYSTEM_PROMPT = """You are a storyboard artist breaking a screenplay into key beats: the moments \
a storyboard must show (establishing the place, entrances, turns, the climax, reactions).
Answer with one JSON object and nothing else: {"beats": [BEAT, ...]} where BEAT is
{"line_start": int, "line_end": int, "action": str, "characters": [str], "entering": [str],
 "dialogue": str, "speaker": str, "emotion": str, "subject": str,
 "shot": {"size": SIZE, "angle": ANGLE, "lens_mm": int, "move": MOVE}}
SIZE is one of EWS, WS, MLS, MS, MCU, CU, ECU, TWO_SHOT, OTS_LEFT, OTS_RIGHT, POV, INSERT.
ANGLE is one of BIRD, HIGH, EYE, LOW, WORM, DUTCH. MOVE is one of STATIC, PAN, TILT, DOLLY, \
TRACK, CRANE, HANDHELD, ZOOM.
line_start and line_end are the numbers printed before the script lines the beat comes from.
characters are the people visible in the frame (a voice over a phone, intercom, radio or V.O. \
is not in the frame; neither is anyone who has left), with the names exactly as listed. action is one visual \
sentence in present tense. dialogue is the key line spoken in the beat, or "". Lens in \
full-frame millimetres: 14-24 establishing, 24-35 wide, 35-50 medium, 50-85 close-up, 85-135 detail."""


class LlmUnavailable(Exception):
    """The endpoint could not be reached or gave nothing usable; the message says which."""


@dataclass
class Chunk:
    scenes: list[int]
    line_start: int
    line_end: int
    text: str


def chunk_scenes(parsed: ParsedScript, lines: list[str], max_chars: int) -> list[Chunk]:
    """Whole scenes with numbered lines, packed into chunks of at most ``max_chars``."""
    chunks: list[Chunk] = []
    current: list[int] = []
    parts: list[str] = []
    size = 0
    for scene in parsed.scenes:
        numbered = [f"{n:05d}| {lines[n - 1]}" for n in range(scene.line_start, scene.line_end + 1)
                    if n - 1 < len(lines) and lines[n - 1].strip()]
        block = "\n".join(numbered)
        if current and size + len(block) > max_chars:
            chunks.append(_chunk(parsed, current, parts))
            current, parts, size = [], [], 0
        # A scene longer than a chunk is cut at line boundaries.
        while len(block) > max_chars:
            cut = block.rfind("\n", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            chunks.append(_chunk(parsed, [scene.index], [block[:cut]]))
            block = block[cut:].lstrip("\n")
        current.append(scene.index)
        parts.append(block)
        size += len(block)
    if current:
        chunks.append(_chunk(parsed, current, parts))
    return chunks


def _chunk(parsed: ParsedScript, scenes: list[int], parts: list[str]) -> Chunk:
    text = "\n".join(p for p in parts if p)
    numbers = [int(line[:5]) for line in text.splitlines() if line[:5].isdigit()]
    return Chunk(list(scenes), min(numbers, default=1), max(numbers, default=1), text)


def allocate(n: int, sizes: list[int]) -> list[int]:
    """Split n beats over chunks in proportion to their length (largest remainder)."""
    total = sum(sizes) or 1
    exact = [n * s / total for s in sizes]
    quotas = [int(e) for e in exact]
    for i in sorted(range(len(sizes)), key=lambda i: exact[i] - quotas[i], reverse=True)[: n - sum(quotas)]:
        quotas[i] += 1
    return quotas


@dataclass
class LlmBeatExtractor:
    client: Any
    model: str
    base_url: str = ""
    max_attempts: int = 3
    chunk_chars: int = 24000
    backoff_s: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    notes: list[str] = field(default_factory=list)
    _tracked: tuple | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "LlmBeatExtractor":
        client = openai.OpenAI(base_url=settings.llm_base_url or None, api_key=settings.llm_api_key or "unused",
                               timeout=settings.llm_timeout_s, max_retries=0)
        return cls(client, settings.llm_model, settings.llm_base_url or "the OpenAI API",
                   settings.llm_max_attempts, settings.llm_chunk_chars)

    # -- one exchange -----------------------------------------------------------------
    def _ask(self, messages: list[dict]) -> tuple[str, str]:
        """(content, finish_reason), retrying what a retry can fix."""
        problem = ""
        for attempt in range(self.max_attempts):
            if attempt:
                self.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                completion = self.client.chat.completions.create(
                    model=self.model, messages=messages, temperature=0, response_format={"type": "json_object"})
            except (openai.APIConnectionError, openai.APITimeoutError) as exc:
                problem = f"cannot reach the LLM at {self.base_url} ({type(exc).__name__})"
                continue
            except openai.APIStatusError as exc:
                if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                    problem = f"the LLM at {self.base_url} answered HTTP {exc.status_code}"
                    continue
                raise LlmUnavailable(f"the LLM at {self.base_url} refused the request (HTTP {exc.status_code}: "
                                     f"{_short(exc.message)}); check BEATBOARD_LLM_MODEL and BEATBOARD_LLM_API_KEY") from None
            if not completion.choices:
                problem = "the LLM answered with no choices"
                continue
            choice = completion.choices[0]
            return choice.message.content or "", choice.finish_reason or ""
        raise LlmUnavailable(problem or "the LLM gave no answer")

    def _chunk_beats(self, parsed: ParsedScript, chunk: Chunk, quota: int, focus: str, position: str) -> list[Beat]:
        cast = ", ".join(parsed.characters) or "(none named)"
        user = (f"{position}\nCharacters: {cast}\n"
                f"{'Director focus: ' + focus if focus else ''}\n"
                f"Pick exactly {quota} beat(s) from these lines, in story order.\n\n{chunk.text}")
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
        problem = ""
        for _ in range(self.max_attempts):
            content, finish = self._ask(messages)
            try:
                data, repaired = loads_lenient(content)
                beats, rejected = self._validate(parsed, chunk, data)
            except NotJson as exc:
                problem = str(exc)
            else:
                if repaired or finish == "length":
                    self.notes.append(f"repaired a cut-off LLM answer (kept {len(beats)} complete beats)")
                if rejected:
                    self.notes.append(f"dropped {rejected} LLM beat(s) that did not fit the script")
                if beats:
                    return beats[:quota]
                problem = "the answer held no beat that fits the script"
            messages = messages[:2] + [
                {"role": "assistant", "content": content[:4000]},
                {"role": "user", "content": f"That answer was not usable: {problem}. Reply with the JSON object "
                                            f"only, {quota} beat(s), line numbers from the excerpt."},
            ]
        raise LlmUnavailable(f"the LLM's answers were not usable after {self.max_attempts} attempts ({problem})")

    # -- checking what it said -----------------------------------------------------------
    def _validate(self, parsed: ParsedScript, chunk: Chunk, data: object) -> tuple[list[Beat], int]:
        items = data.get("beats") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise NotJson('the answer has no "beats" list')
        beats, rejected = [], 0
        for item in items:
            beat = self._beat(parsed, chunk, item) if isinstance(item, dict) else None
            if beat is None:
                rejected += 1
            else:
                beats.append(beat)
        beats.sort(key=lambda b: b.line_start)
        unique = {b.line_start: b for b in beats}
        return list(unique.values()), rejected + len(beats) - len(unique)

    def _beat(self, parsed: ParsedScript, chunk: Chunk, item: dict) -> Beat | None:
        try:
            start = int(item.get("line_start"))
            end = int(item.get("line_end", start))
        except (TypeError, ValueError):
            return None
        if not chunk.line_start <= start <= chunk.line_end:
            return None
        end = min(max(end, start), chunk.line_end)
        scene = next((s for s in reversed(parsed.scenes) if s.line_start <= start), parsed.scenes[0])
        known = set(parsed.characters)

        def person(raw: object) -> str:
            name = character_name(str(raw))
            return parsed.aliases.get(name, name)

        names = lambda key: [n for n in dict.fromkeys(person(x) for x in _list(item.get(key)))  # noqa: E731
                             if n in known]
        # The same rules as the offline extractor: aliases fold, voices and people who have
        # left are not in the frame.
        frame = frame_at(parsed, self._presences(parsed), start, end)
        characters = [n for n in names("characters") if n not in frame.heard_only and n not in frame.gone]
        action = str(item.get("action") or "").strip()
        if not action:
            return None
        shot = item.get("shot") if isinstance(item.get("shot"), dict) else {}
        size = _enum(ShotSize, shot.get("size"), SIZE_ALIASES) or ShotSize.MS
        lens = shot.get("lens_mm")
        lens = int(lens) if isinstance(lens, (int, float)) and 8 <= lens <= 300 else LENS_FOR_SIZE[size]
        speaker = person(item.get("speaker") or "")
        subject = person(item.get("subject") or "")
        return Beat(
            index=0, action=action[:400], scene_number=scene.number, heading=scene.heading,
            location=scene.location, int_ext=scene.int_ext,
            time_of_day=scene.time_of_day, characters=characters,
            entering=[n for n in names("entering") if n in characters],
            dialogue=str(item.get("dialogue") or "")[:300], speaker=speaker if speaker in known else "",
            subject=subject if subject in characters else "", emotion=str(item.get("emotion") or "neutral")[:40],
            shot=ShotSpec(size=size, angle=_enum(CameraAngle, shot.get("angle"), {}) or CameraAngle.EYE,
                          lens_mm=lens, move=_enum(CameraMove, shot.get("move"), {}) or CameraMove.STATIC),
            line_start=start, line_end=end,
        )

    def _presences(self, parsed: ParsedScript) -> list[Presence]:
        if self._tracked is None or self._tracked[0] is not parsed:
            self._tracked = (parsed, track(parsed))
        return self._tracked[1]

    # -- the whole script ------------------------------------------------------------------
    def extract(self, parsed: ParsedScript, n: int, focus: str = "") -> BeatsResponse:
        self.notes = []
        chunks = chunk_scenes(parsed, parsed.lines, self.chunk_chars)
        quotas = allocate(n, [len(c.text) for c in chunks])
        beats: list[Beat] = []
        for number, (chunk, quota) in enumerate(zip(chunks, quotas), start=1):
            if quota == 0:
                continue
            position = (f"Excerpt {number} of {len(chunks)}: scenes {chunk.scenes[0] + 1}-{chunk.scenes[-1] + 1} "
                        f"of {len(parsed.scenes)}.")
            beats += self._chunk_beats(parsed, chunk, quota, focus, position)
        warnings = list(dict.fromkeys(self.notes))
        if len(beats) < n:
            # Top up from the offline extractor with moments the LLM did not already pick.
            usable = len(beats)
            taken = {b.line_start for b in beats}
            extra = [b for b in beats_from_parsed(parsed, n=n, focus=focus).beats if b.line_start not in taken]
            beats = sorted(beats + extra[: n - usable], key=lambda b: b.line_start)
            warnings.append(f"the LLM gave {usable} usable beat(s) of {n}; the rest are offline picks")
        for index, beat in enumerate(beats, start=1):
            beat.index = index
        return BeatsResponse(beats=beats, title=parsed.title.strip("*_ "), scenes=len(parsed.scenes),
                             characters=parsed.characters, extractor=f"llm:{self.model}", warnings=warnings,
                             format="prose" if parsed.is_prose else "fountain", scene_list=scene_report(parsed))


def _list(value: object) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value:
        return [v for v in value.split(",") if v.strip()]
    return []


def _enum(cls, value: object, aliases: dict):
    if not isinstance(value, str):
        return None
    key = value.strip().upper().replace("_", " ")
    for member in cls:
        if key in (member.value.upper(), member.name.replace("_", " ")):
            return member
    return aliases.get(key)


def _short(text: str) -> str:
    return text if len(text) < 160 else text[:157] + "..."
