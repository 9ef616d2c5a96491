"""Casting: actor cards from the server's actor store, and which stored actor plays each character."""

from __future__ import annotations

import os
import tempfile

import bpy

from .core.tasks import Task
from .core.wire import wire
from .preferences import make_client
from .runner import AsyncOperator


def script_characters(props) -> list[str]:
    """Every character the beats name, in order of first appearance."""
    seen: dict[str, None] = {}
    for beat in props.beats:
        for name in beat.characters.split(","):
            if name.strip():
                seen.setdefault(name.strip(), None)
    return list(seen)


def cast_card(props, character: str):
    """The actor card of the stored actor this project casts as ``character``, or None."""
    casting = props.casting.get(character)
    if casting is None or not casting.actor_name:
        return None
    return props.stored_actors.get(casting.actor_name)


def cast_actor_id(props, character: str) -> str:
    card = cast_card(props, character)
    return card.actor_id if card else ""


def _reference_cache() -> str:
    folder = os.path.join(tempfile.gettempdir(), "beatboard_actor_refs")
    os.makedirs(folder, exist_ok=True)
    return folder


def _fetch_actors(client):
    actors = client.actors()
    castings = client.castings()
    references, notes = {}, {}
    for actor in actors:
        notes[actor.id] = [n["text"] for n in client.actor_notes(actor.id)]
        if actor.references:
            path = os.path.join(_reference_cache(), f"{actor.id}_0.png")
            references[actor.id] = client.download(actor.references[0], path)
    return actors, castings, references, notes


def fill_actor_cards(props, actors, castings: dict[str, str], references: dict[str, str],
                     notes: dict[str, list[str]]) -> None:
    props.stored_actors.clear()
    by_id = {}
    for actor in actors:
        card = props.stored_actors.add()
        card.name, card.actor_id, card.description = actor.name, actor.id, actor.description
        card.hints = "; ".join(actor.prompt_hints)
        card.lora_version = actor.lora_version
        card.height_m, card.color = actor.height_m, actor.color
        card.cast_as = ", ".join(actor.cast_as)
        card.notes = " | ".join(notes.get(actor.id, [])[-3:])
        card.note_count = len(notes.get(actor.id, []))
        if actor.id in references:
            image = bpy.data.images.load(references[actor.id], check_existing=True)
            image.reload()  # the same path may hold a newer reference
            card.reference = image
        by_id[actor.id] = actor.name
    by_name = {a.name.lower(): a.name for a in actors}
    server_casting = {c.lower(): by_id.get(a, "") for c, a in castings.items()}
    for character in script_characters(props):
        if props.casting.get(character) is None:
            props.casting.add().name = character
    for casting in props.casting:
        if casting.actor_name and casting.actor_name not in props.stored_actors:
            casting.actor_name = ""  # that actor was deleted from the store
        if not casting.actor_name:
            # Casting carries across projects: the server's, else an actor of the same name.
            casting.actor_name = server_casting.get(casting.name.lower()) or by_name.get(casting.name.lower(), "")


class BEATBOARD_OT_refresh_actors(AsyncOperator, bpy.types.Operator):
    """Load actor cards from the server's actor store and fill in the casting of this script's characters"""

    bl_idname = "beatboard.refresh_actors"
    bl_label = "Refresh Actors"
    task_name = "actors"

    def make_task(self, context):
        client = make_client(context)
        scene_name = context.scene.name

        def done(task: Task):
            props = bpy.data.scenes[scene_name].beatboard
            fill_actor_cards(props, *task.result)
            cast = sum(bool(c.actor_name) for c in props.casting)
            props.status = f"{len(props.stored_actors)} stored actors; {cast} of {len(props.casting)} characters cast"

        return Task(self.task_name, lambda task: _fetch_actors(client)), done


class BEATBOARD_OT_save_casting(AsyncOperator, bpy.types.Operator):
    """Save this project's casting on the server, so later projects cast these characters the same way"""

    bl_idname = "beatboard.save_casting"
    bl_label = "Save Casting"
    task_name = "casting"

    def make_task(self, context):
        props = context.scene.beatboard
        unknown = [c.actor_name for c in props.casting if c.actor_name and c.actor_name not in props.stored_actors]
        if unknown:
            self.report({"ERROR"}, f"No stored actor named {unknown[0]!r}: Refresh Actors, then pick one")
            return None
        pairs = [(c.name, cast_actor_id(props, c.name)) for c in props.casting]
        client = make_client(context)
        scene_name = context.scene.name

        def run(task: Task):
            for n, (character, actor_id) in enumerate(pairs):
                task.report(n / max(1, len(pairs)), f"casting {character}")
                client.cast(character, actor_id)
            return _fetch_actors(client)

        def done(task: Task):
            props = bpy.data.scenes[scene_name].beatboard
            fill_actor_cards(props, *task.result)
            props.status = f"Saved the casting of {sum(bool(a) for _, a in pairs)} characters"

        return Task(self.task_name, run), done


class BEATBOARD_OT_add_stored_actor(AsyncOperator, bpy.types.Operator):
    """Add the selected character to the actor store (with their mannequin's height and colour) and cast them"""

    bl_idname = "beatboard.add_stored_actor"
    bl_label = "Add to Actor Store"
    task_name = "actors"

    description: bpy.props.StringProperty(name="Description")

    def make_task(self, context):
        props = context.scene.beatboard
        if not 0 <= props.active_casting < len(props.casting):
            self.report({"ERROR"}, "Select a character in the casting list first")
            return None
        character = props.casting[props.active_casting].name
        rig = next((o for o in bpy.data.objects if o.get("beatboard_actor") == character), None)
        profile = wire.ActorProfile(name=character, description=self.description)
        if rig is not None:
            profile.height_m = float(rig.get("beatboard_height", 1.75))
            profile.color = tuple(float(c) for c in rig.get("beatboard_colour", (0.8, 0.8, 0.8)))
        client = make_client(context)
        scene_name = context.scene.name

        def run(task: Task):
            actor = client.create_actor(profile)
            client.cast(character, actor.id)
            return _fetch_actors(client)

        def done(task: Task):
            props = bpy.data.scenes[scene_name].beatboard
            props.casting[character].actor_name = ""
            fill_actor_cards(props, *task.result)
            props.status = f"{character} is in the actor store and cast"

        return Task(self.task_name, run), done


def _card_or_report(operator, context):
    """The actor card the operator names, or None after telling the artist what to do."""
    card = context.scene.beatboard.stored_actors.get(operator.actor)
    if card is None:
        operator.report({"ERROR"}, f"No stored actor {operator.actor!r}: Refresh Actors")
    return card


class BEATBOARD_OT_remove_hint(AsyncOperator, bpy.types.Operator):
    """Remove a standing prompt hint from the actor (it returns only if the note recurs again)"""

    bl_idname = "beatboard.remove_hint"
    bl_label = "Remove Hint"
    task_name = "actors"

    actor: bpy.props.StringProperty()
    hint: bpy.props.StringProperty()

    def make_task(self, context):
        card = _card_or_report(self, context)
        if card is None:
            return None
        hints = [h for h in card.hints.split("; ") if h and h != self.hint]
        client = make_client(context)
        scene_name, actor_id = context.scene.name, card.actor_id

        def run(task: Task):
            client.patch_actor(actor_id, wire.ActorPatch(prompt_hints=hints))
            return _fetch_actors(client)

        def done(task: Task):
            fill_actor_cards(bpy.data.scenes[scene_name].beatboard, *task.result)

        return Task(self.task_name, run), done


class BEATBOARD_OT_train_lora(AsyncOperator, bpy.types.Operator):
    """Train this actor's LoRA now on the frames approved with them (the server runs it between renders)"""

    bl_idname = "beatboard.train_lora"
    bl_label = "Train LoRA"
    task_name = "actors"

    actor: bpy.props.StringProperty()

    def make_task(self, context):
        card = _card_or_report(self, context)
        if card is None:
            return None
        client = make_client(context)
        scene_name, actor_id, name = context.scene.name, card.actor_id, card.name

        def done(task: Task):
            bpy.data.scenes[scene_name].beatboard.status = (
                f"Training {name}'s LoRA (job {task.result.id}); renders go first. Refresh Actors when it is done")

        return Task(self.task_name, lambda task: client.train_lora(actor_id)), done


classes = (BEATBOARD_OT_refresh_actors, BEATBOARD_OT_train_lora, BEATBOARD_OT_save_casting, BEATBOARD_OT_add_stored_actor,
           BEATBOARD_OT_remove_hint)
