"""Getting JSON out of what a language model actually says.

Models wrap JSON in code fences, add prose around it, leave trailing commas, or stop
mid-answer when they run out of tokens. ``loads_lenient`` takes the object out of the
text and, for a cut-off answer, closes what was left open and drops the unfinished
last item, so the complete items survive.
"""

from __future__ import annotations

import json
import re

_FENCE = re.compile(r"```(?:json)?\s*(.*?)(?:```|$)", re.DOTALL | re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


class NotJson(ValueError):
    pass


def _structure(text: str):
    """Yield (index, char, open brackets) for each bracket or comma outside strings."""
    stack: list[str] = []
    in_string = escape = False
    for i, ch in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
        if ch in "{[]},":
            yield i, ch, stack
    yield len(text), "", stack if not in_string else stack + ['"']


def _close_truncated(text: str) -> str:
    """Cut back to the last complete item of the innermost array and close the brackets."""
    last_complete = -1
    open_at_end: list[str] = []
    for i, ch, stack in _structure(text):
        if ch in "}]" and stack and stack[-1] == "]":
            last_complete = i + 1
        elif ch == "," and stack and stack[-1] == "]":
            last_complete = i
        elif ch == "":
            open_at_end = list(stack)
    if not open_at_end:
        return text
    if last_complete <= 0:
        raise NotJson("the answer stops before any complete item")
    cut = text[:last_complete].rstrip().rstrip(",")
    closing = next(stack for i, ch, stack in _structure(cut) if ch == "")
    return cut + "".join(reversed(closing))


def loads_lenient(text: str) -> tuple[object, bool]:
    """(value, repaired): parse JSON from a model's answer, repairing a truncated one."""
    if not text or not text.strip():
        raise NotJson("the answer is empty")
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise NotJson("the answer has no JSON object in it")
    body = body[start:].strip()
    try:
        return json.loads(body), False
    except json.JSONDecodeError:
        pass
    # Prose after a complete object ("... } Hope this helps!"): decode just the object.
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
        return value, False
    except json.JSONDecodeError:
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", _close_truncated(body))
    try:
        return json.loads(repaired), True
    except json.JSONDecodeError as exc:
        raise NotJson(f"the answer is not valid JSON ({exc.msg} at character {exc.pos})") from None
