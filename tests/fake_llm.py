"""A local server speaking the chat-completions protocol, scripted per test.

Each request takes the next behaviour from the script: a realistic answer built from the
prompt's numbered lines, an answer cut off mid-JSON, prose, made-up lines, or a bare
status code. Requests are recorded so tests can check what was sent.
"""

from __future__ import annotations

import json
import re
import time

from tests.http_fakes import JsonHandler, LocalServer

_LINE = re.compile(r"^(\d{5})\| (.*)$", re.MULTILINE)
_QUOTA = re.compile(r"Pick exactly (\d+) beat")
_CAST = re.compile(r"^Characters: (.*)$", re.MULTILINE)


def realistic_answer(prompt: str) -> dict:
    """What a decent model would say: k beats on the most eventful numbered lines."""
    quota = int(_QUOTA.search(prompt).group(1))
    cast = [c.strip() for c in _CAST.search(prompt).group(1).split(",")]
    lines = [(int(n), text) for n, text in _LINE.findall(prompt)]
    action = [(n, t) for n, t in lines if not t.isupper() and len(t.split()) > 4]
    step = max(1, len(action) // quota)
    beats = []
    for n, text in action[::step][:quota]:
        names = [c.title() for c in cast if c in text.upper()]
        beats.append({
            "line_start": n, "line_end": n, "action": text, "characters": names, "entering": names[:1],
            "dialogue": "", "speaker": "", "emotion": "tense", "subject": names[0] if names else "",
            "shot": {"size": "Close-up" if len(beats) % 2 else "wide", "angle": "eye", "lens_mm": 50,
                     "move": "static"},
        })
    return {"beats": beats}


class FakeLLM:
    def __init__(self, script: list):
        self.script = list(script)
        self.requests: list[dict] = []
        fake = self

        class Handler(JsonHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                behaviour = fake.script.pop(0) if fake.script else "realistic"
                prompt = body["messages"][1]["content"]
                finish = "stop"
                if isinstance(behaviour, int):
                    return self.send_json(behaviour, {"error": {"message": "scripted failure", "type": "server_error"}})
                if behaviour == "realistic":
                    content = "```json\n" + json.dumps(realistic_answer(prompt)) + "\n```"
                elif behaviour == "truncated":
                    full = json.dumps(realistic_answer(prompt))
                    content, finish = full[: int(len(full) * 0.75)], "length"
                elif behaviour == "prose":
                    content = "Here are the key beats: first the ferry, then the storm. Hope this helps!"
                elif behaviour == "hallucinated":
                    content = json.dumps({"beats": [{"line_start": 99999, "action": "A dragon lands.",
                                                     "characters": ["GODZILLA"]}]})
                else:
                    content = behaviour
                self.send_json(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                    "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": finish}],
                    "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(content) // 4,
                              "total_tokens": (len(prompt) + len(content)) // 4},
                })

        self.handler = Handler
        self.local: LocalServer | None = None

    def __enter__(self) -> "FakeLLM":
        self.local = LocalServer(self.handler)
        self.url = self.local.url
        return self

    def __exit__(self, *exc) -> None:
        self.local.close()
