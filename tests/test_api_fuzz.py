"""Schema fuzzing: schemathesis drives every operation of the ASGI app from its OpenAPI document.

Each generated request must get no 5xx, a documented status, and a body that matches the
documented schema. Bounded to about a minute on two cores: a few examples per operation, a
small open_clip architecture for the actor routes, and the render worker stopped so that
accepted jobs stay queued instead of drawing (what the fuzzer probes is what the API accepts;
rendering has its own tests).
"""

from __future__ import annotations

import tempfile
from collections import Counter

import pytest
import schemathesis
# schemathesis imports this lazily, deep inside hypothesis's data generation; on CPython 3.11
# that import's compile() once failed there with "SystemError: AST constructor recursion depth
# mismatch", which hypothesis reported as a flaky test. Imported here, at the top of the stack.
import schemathesis.generation.body_overrides  # noqa: F401
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from render_server.app import create_app
from render_server.settings import Settings

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 5

_DATA = tempfile.TemporaryDirectory(prefix="beatboard-fuzz-")
APP = create_app(Settings(data_dir=_DATA.name, clip_model="ViT-S-32"))


async def _app_without_lifespan(scope, receive, send):
    """APP for the fuzzer's own client: schemathesis enters the ASGI lifespan on every call, but
    the app is already running (the fixture below), and a second start-up on the same data
    folder is refused by the server's data-folder lock, as it should be."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await APP(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app_without_lifespan)
CASES: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def running_app():
    with TestClient(APP):
        APP.state.beatboard.worker.stop()
        yield
    operations = len(CASES)
    print(f"\nschemathesis: {operations} operations, {sum(CASES.values())} test cases; most: {CASES.most_common(8)}")
    _DATA.cleanup()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
          derandomize=True, database=None)
def test_no_request_gets_a_5xx_or_an_undocumented_answer(case):
    CASES[case.operation.label] += 1
    # Schema-valid data may still be refused by rules JSON Schema cannot state (near < far, a name
    # that exists): positive_data_acceptance would call those refusals failures.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
