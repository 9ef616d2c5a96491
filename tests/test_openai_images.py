"""The OpenAI images backend against a local server speaking the images protocol."""

import base64
import io

import pytest
from PIL import Image

from render_server.backends.base import BackendError, RenderContext
from render_server.backends.openai_images import OpenAIImagesBackend, api_size
from render_server.settings import Settings
from tests.http_fakes import JsonHandler, LocalServer
from tests.server_helpers import render_request


class FakeImagesAPI:
    def __init__(self, status: int = 200):
        self.requests: list[dict] = []
        fake = self

        class Handler(JsonHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.requests.append({"path": self.path, "type": self.headers["Content-Type"], "body": body,
                                      "auth": self.headers.get("Authorization")})
                if status != 200:
                    return self.send_json(status, {"error": {"message": "no", "type": "invalid_request_error"}})
                n = int(body.split(b'name="n"\r\n\r\n')[1].split(b"\r\n")[0]) if b'name="n"' in body else 1
                images = []
                for i in range(n):
                    buffer = io.BytesIO()
                    Image.new("RGB", (1536, 1024), (40 * i, 90, 160)).save(buffer, format="PNG")
                    images.append({"b64_json": base64.b64encode(buffer.getvalue()).decode()})
                self.send_json(200, {"created": 1, "data": images})

        self.local = LocalServer(Handler)
        self.url = self.local.url

    def close(self):
        self.local.close()


def _ctx():
    return RenderContext(report=lambda f, m: None, is_cancelled=lambda: False)


def test_the_previs_frame_goes_as_reference_and_frames_come_back_at_the_shots_size(tmp_path):
    api = FakeImagesAPI()
    try:
        backend = OpenAIImagesBackend(Settings(data_dir=tmp_path, openai_api_key="sk-test", openai_base_url=api.url))
        request = render_request(width=320, height=180, variations=2, prompt="a ferry cabin at night")
        frames = backend.render(request, _ctx())
    finally:
        api.close()
    sent = api.requests[0]
    assert sent["path"] == "/v1/images/edits" and sent["auth"] == "Bearer sk-test"
    assert b"\x89PNG" in sent["body"], "the previs frame travels as the reference image"
    assert b"a ferry cabin at night" in sent["body"] and b"storyboard" not in sent["body"].lower()
    assert b"1536x1024" in sent["body"]
    assert [f.size for f in frames] == [(320, 180), (320, 180)]
    assert frames[0].getpixel((10, 10)) != frames[1].getpixel((10, 10))


def test_no_key_is_a_clear_error_and_sends_nothing(tmp_path):
    backend = OpenAIImagesBackend(Settings(data_dir=tmp_path))
    assert not backend.info().available and "BEATBOARD_OPENAI_API_KEY" in backend.info().reason
    with pytest.raises(BackendError) as caught:
        backend.render(render_request(), _ctx())
    assert caught.value.body.code == "unauthorized" and "BEATBOARD_OPENAI_API_KEY" in caught.value.body.hint


def test_a_rejected_key_says_so(tmp_path):
    api = FakeImagesAPI(status=401)
    try:
        backend = OpenAIImagesBackend(Settings(data_dir=tmp_path, openai_api_key="sk-bad", openai_base_url=api.url))
        with pytest.raises(BackendError) as caught:
            backend.render(render_request(), _ctx())
    finally:
        api.close()
    assert caught.value.body.code == "unauthorized"


def test_sizes_follow_the_frame_shape():
    assert api_size(768, 432) == "1536x1024"
    assert api_size(432, 768) == "1024x1536"
    assert api_size(500, 480) == "1024x1024"
