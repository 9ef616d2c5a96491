"""Block Out Shots: each beat becomes a stage with a set, posed actors and a framed camera."""

from __future__ import annotations

from dataclasses import replace

import bpy

from .core.audit.rules import MIN_GROUP_DEPTH, same_close_up
from .core.coverage import (
    choose_setup,
    close_view_of,
    depth_spread,
    exchanges,
    face_hidden,
    headless_foreground,
    line_sides,
    people_in_view,
    setup_of,
    someone_hidden,
)
from .core.framing import FACE_SIZES, GROUP_SIZES, Subject, frame_shot, subject_for
from .core.mannequin import joint_positions, to_world
from .core.people import enters, named_in, people_of
from .core.props import place_props, with_set_changes
from .core.sets import build_set, open_to_camera
from .core.staging import AUDIENCE_SIDE, LENS_FOR_SIZE, board_colours, stage_beat, subject_and_source
from .core.wire import wire
from .core.timing import frame_ranges, shot_seconds
from .ops_actors import cast_card
from .scene_build import (
    bind_marker,
    build_box,
    build_camera,
    build_mannequin,
    build_prop,
    remove_collection_tree,
    root_collection,
    shot_collection,
)

# Each shot gets its own stage this far along X, beyond every camera's far clip.
STAGE_SPACING = 100.0


def shot_number(index: int) -> str:
    return str(index + 1)


def continues_setup(before, beat) -> bool:
    """The same setup with someone new: same scene and shot, everyone from before still there."""
    present = [c for c in beat.characters if c not in beat.entering]
    return (bool(beat.entering) and beat.scene_number == before.scene_number and beat.shot == before.shot
            and present == list(before.characters))


def shift_placement(placement, dx: float):
    x, y, z = placement.location
    return replace(placement, location=(x + dx, y, z))


class BEATBOARD_OT_block_out_shots(bpy.types.Operator):
    """Build a camera, posed actors and a simple set for every beat, bound to timeline markers"""

    bl_idname = "beatboard.block_out_shots"
    bl_label = "Block Out Shots"
    bl_options = {"REGISTER", "UNDO"}

    replace_existing: bpy.props.BoolProperty(
        name="Replace existing shots",
        description="Rebuild every shot, discarding hand edits to cameras and actors",
        default=False,
    )

    @staticmethod
    def _face_reads(beat, staging):
        """For close sizes: the subject's own arms must not cover their face from the lens."""
        main = next((a for a in staging.actors if a.name == staging.subject), None)
        if main is None or beat.shot.size.value not in FACE_SIZES:
            return lambda placement: True
        joints = {name: to_world(p, main.location, main.facing_deg)
                  for name, p in joint_positions(main.height_m, main.pose).items()}
        return lambda placement: not face_hidden(placement.location, joints, main.height_m)

    @staticmethod
    def _close_view(beat, staging):
        """(placement -> the audit's close view of it) for this shot's subject."""
        main = next((a for a in staging.actors if a.name == staging.subject), None)
        if main is None:
            return lambda placement: None
        eye = main.location[2] + joint_positions(main.height_m, main.pose)["r_eye"][2]
        return lambda placement: close_view_of(beat.shot.size.value, main.name, main.location, eye, placement)

    @staticmethod
    def _staging_reads(beat, staging, aspect):
        """A two-shot sees only its two; three or more in view stand in depth."""
        size = beat.shot.size.value
        pair = ([staging.contact.actor, staging.contact.target] if staging.contact
                else [a.name for a in staging.actors[:2]])
        everyone = {a.name: (a.location, a.height_m) for a in staging.actors}

        framed = {n: everyone[n] for n in (pair if size == "TWO_SHOT" else everyone)}
        whole = (0.05, 0.5, 0.95) if size in ("WS", "EWS") else (0.5, 0.95)

        def reads(placement) -> bool:
            seen = people_in_view(placement, aspect, everyone)
            if size == "TWO_SHOT" and any(n not in pair for n in seen):
                return False
            if size in GROUP_SIZES and len(framed) >= 2 and \
                    len(people_in_view(placement, aspect, framed, whole)) < len(framed):
                return False  # a group shot shows all of its people, head to hips (or feet)
            if size in GROUP_SIZES and someone_hidden(placement, aspect, {n: everyone[n] for n in seen}):
                return False  # nobody stands right behind someone else
            if size not in ("OTS_LEFT", "OTS_RIGHT", "POV", "INSERT") and \
                    headless_foreground(placement, aspect, staging.subject, everyone):
                return False  # nobody's back or headless torso fills the foreground
            if len(seen) >= 3:
                return depth_spread(placement, [everyone[n][0] for n in seen]) >= MIN_GROUP_DEPTH
            return True

        return reads

    @staticmethod
    def _follow_exchange(wire_beat, exchange) -> str:
        """Shot / reverse shot in a two-person exchange: on the speaker (unless the beat names
        its subject or one person acts on the other), over the listener's shoulder. Returns
        where the shot's subject comes from (see staging.subject_and_source)."""
        subject_from = subject_and_source(wire_beat)[1]
        if exchange is None:
            return subject_from
        if subject_from not in ("beat", "contact"):
            wire_beat.subject, subject_from = exchange.speaker, "speaker"
        if exchange.size == "OTS" and wire_beat.subject != exchange.listener:
            wire_beat.shot.size = wire.ShotSize.OTS_LEFT
        return subject_from

    @staticmethod
    def _over_the_listener(wire_beat, staging, exchange) -> None:
        """An exchange's over-the-shoulder is over the listener (second in line for framing);
        which shoulder follows who stands screen left."""
        if exchange is None or wire_beat.shot.size.value not in ("OTS_LEFT", "OTS_RIGHT"):
            return
        staging.actors.sort(key=lambda a: (a.name != staging.subject, a.name != exchange.listener))
        xs = {a.name: a.location[0] for a in staging.actors}
        if exchange.listener in xs and staging.subject in xs:
            left = xs[exchange.listener] < xs[staging.subject]
            wire_beat.shot.size = wire.ShotSize.OTS_LEFT if left else wire.ShotSize.OTS_RIGHT

    @staticmethod
    def _dress(wire_beat, staging, origin):
        """Props from the action. They seat people in the beat's own order, not the framing's
        (subject first), so who sits at the table does not change with whom a shot is on; and
        the two of a contact keep their places and poses (nobody punches from a chair)."""
        acting = {a.name: a for a in staging.actors
                  if staging.contact and a.name in (staging.contact.actor, staging.contact.target)}
        framing_order = [a.name for a in staging.actors]
        listed = wire_beat.characters + wire_beat.entering
        by_listing = sorted(staging.actors, key=lambda a: listed.index(a.name) if a.name in listed else len(listed))
        dressing = place_props(wire_beat, by_listing, origin, exterior=wire_beat.int_ext.value == "EXT")
        in_framing_order = sorted(dressing.actors, key=lambda a: framing_order.index(a.name))
        staging.actors = [acting.get(a.name, a) for a in in_framing_order]
        return dressing

    def invoke(self, context, event):
        if root_collection(context.scene).children:
            return context.window_manager.invoke_props_dialog(self, title="Replace blocked-out shots?")
        return self.execute(context)

    def execute(self, context):
        scene = context.scene
        props = scene.beatboard
        if not props.beats:
            self.report({"ERROR"}, "No beats yet: use Break into Beats first")
            return {"CANCELLED"}
        root = root_collection(scene)
        if root.children and not self.replace_existing:
            self.report({"ERROR"}, "Shots are already blocked out; hand edits would be lost. "
                                   "Run again with 'Replace existing shots' to rebuild them")
            return {"CANCELLED"}
        for child in list(root.children):
            remove_collection_tree(child)

        render = scene.render
        aspect = render.resolution_x / render.resolution_y
        fps = render.fps / render.fps_base
        durations = [shot_seconds(beat.action, beat.dialogue) for beat in props.beats]
        ranges = frame_ranges(durations, fps, start=scene.frame_start)
        previous = None
        wire_beats = [beat.to_wire() for beat in props.beats]
        board_cast = list(dict.fromkeys(name for b in wire_beats for name in people_of(b.characters)))
        for b in wire_beats:  # people the action names are on the stage, even if the beat missed them
            missing = [n for n in named_in(b.action, board_cast) if n not in b.characters]
            b.characters = b.characters + missing
            b.entering = b.entering + [n for n in missing if enters(n, b.action)]
        names = {name for b in wire_beats for name in b.characters + b.entering}
        cast_colours = {name: tuple(card.color) for name in names if (card := cast_card(props, name)) is not None}
        colours = board_colours(wire_beats, fixed=cast_colours)
        scene_sides: dict = {}
        scene_order: list[str] = []
        plan = exchanges(wire_beats)
        previous_close = None
        for index, (beat, (first, last)) in enumerate(zip(props.beats, ranges)):
            number = shot_number(index)
            origin = (index * STAGE_SPACING, 0.0)
            collection = shot_collection(scene, number)
            wire_beat = wire_beats[index]
            if previous is None or previous[0].scene_number != wire_beat.scene_number:
                scene_order = []
            exchange = plan[index]
            subject_from = self._follow_exchange(wire_beat, exchange)
            staging = stage_beat(wire_beat, origin, colours, order=scene_order)
            if staging.shot_size:  # a contact's single is a two-shot; a crowded two-shot a group shot
                wire_beat.shot.size = wire.ShotSize(staging.shot_size)
            self._over_the_listener(wire_beat, staging, exchange)
            for actor in staging.actors:  # a cast actor's mannequin has their height and colour
                card = cast_card(props, actor.name)
                if card is not None:
                    actor.height_m, actor.color = card.height_m, tuple(card.color)
            dressing = self._dress(wire_beat, staging, origin)
            # The scene's left-right order as the audience sees it, after props have moved people
            # (a car's driver behind the wheel, someone in a doorway).
            scene_order += [a.name for a in sorted(staging.actors, key=lambda a: a.location[0])
                            if a.name not in scene_order]
            if exchange is not None and wire_beat.shot.size.value in ("OTS_LEFT", "OTS_RIGHT") and any(
                    a.pose.startswith("sit") for a in staging.actors if a.name in (staging.subject, exchange.listener)):
                wire_beat.shot.size = wire.ShotSize.MS  # across a table: clean singles, not a back filling the frame
            if wire_beat.shot.size.value != beat.shot_size:  # blocking chose another size: its lens too
                wire_beat.shot.lens_mm = LENS_FOR_SIZE.get(wire_beat.shot.size.value, wire_beat.shot.lens_mm)
                beat.shot_size, beat.lens_mm = wire_beat.shot.size.value, int(wire_beat.shot.lens_mm)
            for actor in staging.actors:
                build_mannequin(actor, collection, prefix=f"S{number} ")
            subjects = [subject_for(a.location, a.facing_deg, a.height_m, a.pose) for a in staging.actors]
            if wire_beat.shot.size.value == "TWO_SHOT":  # framed on its two; anyone else stays out
                subjects = subjects[:2]
            if not subjects:  # an empty place: frame a standing height at the stage centre
                subjects = [Subject((origin[0], origin[1], 0.0), 0.0, 1.7)]
            same_scene = previous is not None and previous[0].scene_number == wire_beat.scene_number
            if not same_scene:
                scene_sides = {}
            people = {a.name: (a.location[0] - origin[0], a.location[1] - origin[1]) for a in staging.actors}
            face_reads = self._face_reads(wire_beat, staging)
            staging_reads = self._staging_reads(wire_beat, staging, aspect)
            close_view = self._close_view(wire_beat, staging)
            last_close = previous_close if same_scene else None

            def acceptable(placement, face_reads=face_reads, staging_reads=staging_reads, close_view=close_view,
                           last_close=last_close) -> bool:
                return (face_reads(placement) and staging_reads(placement)
                        and not same_close_up(last_close, close_view(placement)))

            placement, _ = choose_setup(
                lambda side, turn: frame_shot(wire_beat.shot, subjects, aspect=aspect, audience=AUDIENCE_SIDE,
                                              side=side, turn_deg=turn),
                origin, setup_of(previous[1], (previous[2], 0.0)) if same_scene else None, scene_sides, people,
                exterior=wire_beat.int_ext.value == "EXT", acceptable=acceptable)
            beat.continues_shot = ""
            if previous is not None and continues_setup(previous[0], wire_beat):
                # Someone enters an unchanged setup: keep the earlier camera so its frame is the plate.
                placement = shift_placement(previous[1], index * STAGE_SPACING - previous[2])
                beat.continues_shot = previous[3]
            camera_xy = setup_of(placement, origin).location
            for name, side in line_sides(people, camera_xy[:2]).items():
                scene_sides.setdefault(name, side)
            targets = [(a.location[0], a.location[1], z * a.height_m) for a in staging.actors for z in (0.1, 0.55, 0.95)]
            # Doors cut into walls (and a bed standing in for the room's) first; then the walls that
            # would stand between the lens and the actors come out, a door with its wall.
            standing = open_to_camera(with_set_changes(build_set(wire_beat, origin), dressing.props),
                                      placement.location, targets)
            for box in standing:
                build_box(box, collection, prefix=f"S{number} ")
            for prop in dressing.props:
                if prop.replaced_by and not any(b in standing for b in prop.replaced_by):
                    continue
                # An outdoor doorway's short walls go the way of the set's walls.
                prop = replace(prop, boxes=tuple(open_to_camera(list(prop.boxes), placement.location, targets)))
                build_prop(prop, collection, f"S{number} ", origin)
            camera = build_camera(number, placement, collection)
            camera["beatboard_subject"] = staging.subject
            camera["beatboard_subject_from"] = subject_from
            previous_close = close_view(placement)
            beat.shot_number = number
            beat.camera = camera
            beat.frame_start, beat.frame_end = first, last
            beat.stage_x = origin[0]
            bind_marker(scene, number, first, camera)
            previous = (wire_beat, placement, origin[0], number)
        scene.frame_end = ranges[-1][1]
        scene.camera = props.beats[0].camera
        self.report({"INFO"}, f"Blocked out {len(props.beats)} shots over {scene.frame_end - scene.frame_start + 1} frames")
        return {"FINISHED"}


classes = (BEATBOARD_OT_block_out_shots,)
