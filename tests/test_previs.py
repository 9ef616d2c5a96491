"""The previs frame must read: near things bright, actors in their colour, skeletons where the keypoints are."""

import numpy as np
import pytest

from render_server.backends.base import JobCancelled, RenderContext
from render_server.backends.previs import PrevisBackend
from render_server.conditioning import depth_to_control
from tests.server_helpers import depth_map, render_request


def _ctx(cancel_after: int | None = None):
    calls = []

    def is_cancelled():
        calls.append(1)
        return cancel_after is not None and len(calls) > cancel_after

    return RenderContext(report=lambda fraction, message: None, is_cancelled=is_cancelled)


def test_controlnet_depth_is_inverse_and_near_bright():
    depth = depth_map(4, 1, near=1.0, far=21.0, fill=21.0, box=(0, 0, 1, 1), box_depth=1.0)
    image = np.asarray(depth_to_control(depth, (4, 1)))
    assert image[0, 0] == 255 and image[0, 3] == 0
    depth = depth_map(2, 1, near=1.0, far=21.0, fill=2.0)  # 1/2 of the way in inverse depth
    assert abs(int(np.asarray(depth_to_control(depth, (2, 1)))[0, 0]) - round(255 * (0.5 - 1 / 21) / (1 - 1 / 21))) <= 1


def test_previs_frame_shows_depth_actor_colour_and_pose():
    request = render_request(width=320, height=180, caption="")
    frame = np.asarray(PrevisBackend().render(request, _ctx())[0]).astype(int)
    assert frame.shape == (180, 320, 3)
    # The actor's box (depth 2 m, mask MARA in red) against a far background (10 m).
    actor = frame[30:50, 70:90].mean(axis=(0, 1))
    background = frame[150:170, 5:25].mean(axis=(0, 1))
    assert actor.sum() > background.sum(), "near is brighter than far"
    assert actor[0] > actor[1] + 40, "MARA's region carries her red"
    # controlnet_aux draws each joint as a filled dot in OpenPose colours: the neck is orange.
    neck = request.conditioning.poses[0].keypoints[1]
    assert tuple(frame[round(neck.y), round(neck.x)]) == (255, 85, 0)


def test_variations_differ_and_a_seed_reproduces_them():
    request = render_request(variations=2)
    first = [np.asarray(f) for f in PrevisBackend().render(request, _ctx())]
    again = [np.asarray(f) for f in PrevisBackend().render(request, _ctx())]
    assert not np.array_equal(first[0], first[1])
    assert all(np.array_equal(a, b) for a, b in zip(first, again))


def test_cancel_is_honoured_between_steps():
    with pytest.raises(JobCancelled):
        PrevisBackend().render(render_request(variations=3), _ctx(cancel_after=2))


def _sphere_request(width=160, height=90):
    """Two balls 1 m across, 3 m away (MARA left, red; TOMAS right, blue), before a far wall."""
    import base64

    import shared_schema as wire

    focal = 50.0 / 36.0 * width
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    depth = np.full((height, width), 10.0)
    labels = np.zeros((height, width), dtype=np.uint8)
    for label, cx in ((1, width * 0.3), (2, width * 0.7)):
        r_px = 0.5 / 3.0 * focal
        d2 = ((xs - cx) ** 2 + (ys - height / 2) ** 2) / r_px ** 2
        inside = d2 < 1.0
        depth[inside] = 3.0 - 0.5 * np.sqrt(1.0 - d2[inside])
        labels[inside] = label
    cond = wire.Conditioning(
        depth=wire.DepthMap(width=width, height=height, near=1.0, far=10.0,
                            data_b64=base64.b64encode(depth.astype("<f2").tobytes()).decode()),
        masks=wire.LabelMask(width=width, height=height, labels=["MARA", "TOMAS"],
                             data_b64=base64.b64encode(labels.tobytes()).decode()))
    return render_request(width=width, height=height, caption="", conditioning=cond,
                          actors=[wire.ActorPlacement(name="MARA", color=(0.9, 0.2, 0.2)),
                                  wire.ActorPlacement(name="TOMAS", color=(0.2, 0.3, 0.9))])


def test_actors_are_lit_from_their_depth_so_their_form_reads_in_their_own_colour():
    """Flat tints hid a nose or a visor: the key light from depth normals shows the form."""
    frame = np.asarray(PrevisBackend().render(_sphere_request(), _ctx())[0]).astype(int)
    # MARA's ball: upper left faces the key light, lower right turns away from it.
    lit, shadow = frame[34:38, 40:44].mean(axis=(0, 1)), frame[52:56, 54:58].mean(axis=(0, 1))
    assert lit.sum() > shadow.sum() + 120, "the lit side is clearly brighter"
    assert lit[0] > lit[1] + 60 and shadow[0] > shadow[1] + 20, "both sides stay MARA's red"
    tomas = frame[34:38, 104:108].mean(axis=(0, 1))
    assert tomas[2] > tomas[0] + 60, "TOMAS keeps his blue"


def _half_sky_request(int_ext: str, time_of_day: str):
    """The top half of the frame a miss (the depth's far value), the bottom a floor 5 m away."""
    import base64

    import shared_schema as wire

    width, height = 80, 46
    depth = np.full((height, width), 5.0)
    depth[: height // 2] = 40.0
    cond = wire.Conditioning(depth=wire.DepthMap(
        width=width, height=height, near=1.0, far=40.0,
        data_b64=base64.b64encode(depth.astype("<f2").tobytes()).decode()))
    description = wire.ShotDescription(action="A pier.", location="PIER", int_ext=wire.IntExt(int_ext),
                                       time_of_day=time_of_day)
    return render_request(width=width, height=height, caption="", conditioning=cond, actors=[],
                          description=description)


def test_an_exterior_shows_sky_where_the_depth_holds_nothing_an_interior_a_dim_ceiling():
    frames = {key: np.asarray(PrevisBackend().render(_half_sky_request(*key), _ctx())[0]).astype(int)
              for key in (("EXT", "DAY"), ("EXT", "NIGHT"), ("EXT", "DUSK"), ("INT", "DAY"))}
    day, night, dusk, inside = (frames[k][2:18, 10:70].mean(axis=(0, 1)) for k in frames)
    assert day[2] > 180 and day[2] > day[0] + 40, "a day sky: light, blue"
    assert night.sum() < 130 and night[2] > night[0], "a night sky: dark, blue"
    horizon = frames[("EXT", "DUSK")][20:22, 10:70].mean(axis=(0, 1))
    assert horizon[0] > horizon[2] + 40, "dusk: warm at the horizon"
    assert inside.sum() < day.sum() - 200, "indoors the void above the walls stays a dim ceiling"
    floor = [f[35:44, 10:70].mean(axis=(0, 1)) for f in frames.values()]
    assert max(abs(a - b).max() for a in floor for b in floor) < 30, "what the depth holds is drawn as before"
