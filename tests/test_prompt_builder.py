"""The one prompt builder: fields in, one prompt per backend out."""

import shared_schema as wire
from render_server.prompts import compose, compose_into


def _request(**overrides) -> wire.RenderRequest:
    request = wire.RenderRequest(
        shot_number="3", width=64, height=36, seed=5,
        description=wire.ShotDescription(
            action="Mara slams a fistful of crumpled notes on the table.", dialogue="One ticket.", speaker="MARA",
            emotion="anger", location="FERRY CABIN", int_ext=wire.IntExt.INT, time_of_day="NIGHT", weather="rain",
            notes=["a storyboard panel with a red scarf"], style="",
            shot=wire.ShotSpec(size=wire.ShotSize.MLS, angle=wire.CameraAngle.LOW, lens_mm=35)),
        actors=[wire.ActorPlacement(name="MARA", emotion="fear", intensity=1.5, description="forties, raincoat",
                                    prompt_hints=["raincoat", "tired eyes"]),
                wire.ActorPlacement(name="TOMAS")],
    )
    for key, value in overrides.items():
        setattr(request, key, value)
    return request


def test_sd_tags_name_every_field_once_with_weighted_performance_and_never_storyboard():
    composed = compose(_request(), "diffusers")
    p = composed.prompt
    for expected in ("medium long shot", "low angle", "35mm lens", "interior of a ferry cabin", "night", "rain",
                     "Mara slams", "Mara (forties, raincoat, tired eyes) looking (frightened)1.2", "Tomas",
                     "Mara speaking", "angry mood", "red scarf", "cinematic film still"):
        assert expected in p, expected
    assert p.count("raincoat") == 1, "a hint the description already says is not repeated"
    assert "storyboard" not in p.lower() and "storyboard" not in composed.negative.lower()
    assert composed.negative  # SD families get a negative prompt
    # Each actor's region prompt (diffusers' inpaint pass) names them and their hints once.
    region = composed.actor_prompts["MARA"]
    assert region.count("tired eyes") == 1 and "(frightened)1.2" in region and "Tomas" not in region


def test_image_apis_get_a_sentence_with_the_same_facts():
    p = compose(_request(), "openai").prompt
    assert p.startswith("Cinematic film still, a medium long shot at low angle with a 35mm lens.")
    assert "Mara (forties, raincoat; tired eyes) looks very frightened." in p
    assert "(" + "frightened)" not in p, "no prompt-weight syntax for image APIs"
    assert "reference image" in p and "storyboard" not in p.lower()


def test_intensity_sets_the_weight_and_plain_intensity_is_unweighted():
    low = _request()
    low.actors[0].intensity = 0.0
    plain = _request()
    plain.actors[0].intensity = 1.0
    assert "(frightened)0.6" in compose(low, "previs").prompt
    assert "looking frightened" in compose(plain, "previs").prompt


def test_hand_edited_prompt_is_used_verbatim_and_old_clients_prompt_is_the_action():
    edited = compose(_request(prompt_override="Mara alone on the pier, dawn"), "diffusers")
    assert edited.prompt == "Mara alone on the pier, dawn"
    legacy = compose_into(wire.RenderRequest(shot_number="1", width=64, height=36, prompt="a pier at night"), "previs")
    assert legacy.prompt == "a pier at night, cinematic film still"
