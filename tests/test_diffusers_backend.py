"""The diffusers backend on tiny random-weight models of the real architectures."""

import numpy as np
import pytest

from render_server.backends.base import BackendError, JobCancelled, RenderContext
from render_server.backends.diffusers_backend import DiffusersBackend
from render_server.settings import Settings
from tests.server_helpers import render_request

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def backend(tiny_models, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), diffusers_model=str(tiny_models["base"]),
                        controlnet_depth=str(tiny_models["depth"]), controlnet_openpose=str(tiny_models["openpose"]),
                        lora_dir=str(tiny_models["loras"]), diffusers_device="cpu")
    return DiffusersBackend(settings)


def _ctx(log=None, cancel_after=None):
    calls = []

    def report(fraction, message):
        calls.append((fraction, message))
        if log is not None:
            log.append((fraction, message))

    return RenderContext(report=report, is_cancelled=lambda: cancel_after is not None and len(calls) >= cancel_after)


def _request(lora: str = "none", **overrides):
    """Actors carry no LoRA unless asked: the tiny LoRA folder would otherwise apply MARA's own."""
    request = render_request(width=64, height=64, **overrides)
    request.steps = 3
    for actor in request.actors:
        actor.lora = lora
    return request


def test_both_controlnets_condition_the_frame(backend):
    seen = []
    pipe, _ = backend._load("")
    hooks = [net.register_forward_hook(lambda m, a, k: seen.append(type(m).__name__))
             for net in pipe.controlnet.nets]
    try:
        frames = backend.render(_request(), _ctx())
    finally:
        for hook in hooks:
            hook.remove()
    assert len(frames) == 1 and frames[0].size == (64, 64)
    assert len(seen) >= 2 * 3, "each step runs the depth and the openpose ControlNet"
    # Different conditioning, same seed: a different frame.
    other = _request()
    other.conditioning.depth = None
    assert not np.array_equal(np.asarray(frames[0]), np.asarray(backend.render(other, _ctx())[0]))


def test_variations_differ_and_a_seed_reproduces_them(backend):
    first = backend.render(_request(variations=2), _ctx())
    again = backend.render(_request(variations=2), _ctx())
    assert not np.array_equal(np.asarray(first[0]), np.asarray(first[1]))
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first, again))


def test_an_actor_lora_changes_only_that_actors_region(backend):
    plain = _request()
    with_lora = _request(lora="")  # empty: the actor's own LoRA, MARA.safetensors
    with_lora.actors[0].lora_weight = 1.0
    log = []
    before = np.asarray(backend.render(plain, _ctx())[0])
    after = np.asarray(backend.render(with_lora, _ctx(log))[0])
    from render_server.conditioning import decode_labels
    from PIL import Image, ImageFilter

    labels = decode_labels(with_lora.conditioning.masks)
    region = Image.fromarray(((labels == 1) * 255).astype(np.uint8)).resize((64, 64), Image.Resampling.NEAREST)
    region = np.asarray(region.filter(ImageFilter.MaxFilter(9))) > 127
    assert np.array_equal(before[~region], after[~region]), "outside MARA's mask the plate is untouched"
    assert not np.array_equal(before[region], after[region]), "inside it, her LoRA pass redraws"
    assert any("MARA's LoRA" in message for _, message in log)
    weaker = _request()
    weaker.actors[0].lora, weaker.actors[0].lora_weight = "MARA", 0.2
    assert not np.array_equal(after, np.asarray(backend.render(weaker, _ctx())[0])), "the weight matters"


def test_progress_is_per_step_and_cancel_stops_within_one_step(backend):
    log = []
    backend.render(_request(lora="MARA"), _ctx(log))
    fractions = [f for f, _ in log]
    assert fractions == sorted(fractions) and len(fractions) >= 3 and fractions[-1] == pytest.approx(1.0)
    steps_run = []
    request = _request()
    request.steps = 8
    with pytest.raises(JobCancelled):
        backend.render(request, RenderContext(report=lambda f, m: steps_run.append(m),
                                              is_cancelled=lambda: len(steps_run) >= 3))
    assert len(steps_run) == 3, "stopped at the next step after the cancel"


def test_missing_models_and_pickles_get_clear_errors(tmp_path, tiny_models):
    missing = DiffusersBackend(Settings(data_dir=tmp_path, diffusers_model=str(tmp_path / "nope")))
    with pytest.raises(BackendError) as caught:
        missing.render(_request(), _ctx())
    assert caught.value.body.code == "model_missing" and "make-tiny-models" in caught.value.body.hint
    pickled = tmp_path / "pickled"
    (pickled / "unet").mkdir(parents=True)
    (pickled / "unet" / "diffusion_pytorch_model.bin").write_bytes(b"not really")
    unsafe = DiffusersBackend(Settings(data_dir=tmp_path, diffusers_model=str(pickled),
                                       controlnet_depth=str(tiny_models["depth"]),
                                       controlnet_openpose=str(tiny_models["openpose"])))
    with pytest.raises(BackendError) as caught:
        unsafe.render(_request(), _ctx())
    assert caught.value.body.code == "unsafe_weights" and "safetensors" in caught.value.body.hint
    unconfigured = DiffusersBackend(Settings(data_dir=tmp_path))
    assert not unconfigured.info().available


def test_per_controlnet_scale_and_schedule_change_the_frame(backend):
    base = np.asarray(backend.render(_request(), _ctx())[0])
    quieter = _request()
    quieter.control_scales = (0.0, 0.0)
    assert not np.array_equal(base, np.asarray(backend.render(quieter, _ctx())[0]))
    early = _request()
    early.control_end = (0.3, 0.3)
    assert not np.array_equal(base, np.asarray(backend.render(early, _ctx())[0]))
    broken = _request()
    broken.control_start = (0.9, 0.0)
    broken.control_end = (0.5, 1.0)
    with pytest.raises(BackendError) as caught:
        backend.render(broken, _ctx())
    assert caught.value.body.code == "validation_error"


def test_a_newcomer_is_painted_into_the_earlier_frame_of_the_same_setup(backend):
    first = backend.render(_request(), _ctx())[0]
    plate_dir = backend.settings.frames_dir / "earlier-job"
    plate_dir.mkdir(parents=True, exist_ok=True)
    first.save(plate_dir / "0.png")
    later = _request()
    later.plate_job, later.inpaint_actors = "earlier-job", ["MARA"]
    log = []
    frame = np.asarray(backend.render(later, _ctx(log))[0])
    from PIL import Image, ImageFilter

    from render_server.conditioning import decode_labels

    labels = decode_labels(later.conditioning.masks)
    region = Image.fromarray(((labels == 1) * 255).astype(np.uint8)).resize((64, 64), Image.Resampling.NEAREST)
    region = np.asarray(region.filter(ImageFilter.MaxFilter(9))) > 127
    plate = np.asarray(first)
    assert np.array_equal(frame[~region], plate[~region]), "the set is the earlier frame's, pixel for pixel"
    assert not np.array_equal(frame[region], plate[region]), "the newcomer is painted in"
    assert not any(message.startswith("plate: step") for _, message in log), "no new plate was rendered"
    gone = _request()
    gone.plate_job, gone.inpaint_actors = "no-such-job", ["MARA"]
    with pytest.raises(BackendError) as caught:
        backend.render(gone, _ctx())
    assert caught.value.body.code == "plate_missing"


def test_performance_weights_reach_the_text_embeddings_through_compel(backend):
    import torch

    from render_server.diffusion.weighting import weighted_prompt

    pipe, inpaint = backend._load("")
    plain = weighted_prompt(pipe, "Mara looking frightened, night", "", 1)["prompt_embeds"]
    strong = weighted_prompt(pipe, "Mara looking (frightened)1.4, night", "", 1)["prompt_embeds"]
    assert plain.shape == strong.shape and not torch.allclose(plain, strong)
    batch = weighted_prompt(inpaint, "Mara", "text, watermark", 2)
    assert batch["prompt_embeds"].shape[0] == batch["negative_prompt_embeds"].shape[0] == 2


def test_a_team_workers_fetched_lora_is_used_and_a_newer_copy_replaces_the_loaded_one(backend, tiny_models,
                                                                                       tmp_path):
    """Team mode: the job's copies of the API's LoRA files (RenderContext.loras) come before this
    machine's; a copy of another version under the same name is loaded afresh, not the old adapter."""
    from safetensors.torch import load_file, save_file

    own = tiny_models["loras"] / "MARA.safetensors"
    stronger = {k: v * 4 for k, v in load_file(own).items()}
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    save_file(load_file(own), tmp_path / "v1" / "MARA.safetensors")
    save_file(stronger, tmp_path / "v2" / "MARA.safetensors")

    def render(fetched=None):
        request = _request(lora="MARA")
        request.actors[0].lora_weight = 1.0
        ctx = _ctx()
        ctx.loras = fetched or {}
        return np.asarray(backend.render(request, ctx)[0])

    first = render({"MARA": tmp_path / "v1" / "MARA.safetensors"})
    newer = render({"MARA": tmp_path / "v2" / "MARA.safetensors"})
    assert not np.array_equal(first, newer), "the newer copy was loaded, not the adapter already in the pipeline"
    assert np.array_equal(first, render({"MARA": tmp_path / "v1" / "MARA.safetensors"}))
    assert np.array_equal(first, render())  # the same file as this machine's own MARA.safetensors
