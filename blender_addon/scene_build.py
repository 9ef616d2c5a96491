"""Build the blocked-out scene in Blender: sets, rigged mannequins, cameras, markers."""

from __future__ import annotations

import math

import bmesh
import bpy
from mathutils import Matrix, Vector

from .core.framing import CameraPlacement
from .core import body
from .core.mannequin import BONES, joint_positions
from .core.sets import Box
from .core.wire import wire

ROOT_COLLECTION = "Beatboard"
ACTOR_KEY = "beatboard_actor"
SHOT_KEY = "beatboard_shot"
SET_PART_KEY = "beatboard_set_part"   # which part of the set a mesh is (wall_back, floor, table...)
PROP_KEY = "beatboard_prop"           # a prop from the action: its kind
PROP_INFO_KEY = "beatboard_prop_info"  # the prop as JSON: kind, centre, size, held by


def root_collection(scene) -> bpy.types.Collection:
    root = bpy.data.collections.get(ROOT_COLLECTION)
    if root is None:
        root = bpy.data.collections.new(ROOT_COLLECTION)
    if root.name not in scene.collection.children:
        scene.collection.children.link(root)
    return root


def shot_collection(scene, shot_number: str) -> bpy.types.Collection:
    name = f"Shot {shot_number}"
    collection = bpy.data.collections.new(name)
    root_collection(scene).children.link(collection)
    collection[SHOT_KEY] = shot_number
    return collection


def remove_collection_tree(collection: bpy.types.Collection) -> None:
    for child in list(collection.children):
        remove_collection_tree(child)
    for obj in list(collection.objects):
        data = obj.data
        bpy.data.objects.remove(obj, do_unlink=True)
        if data is not None and data.users == 0:
            pool = {bpy.types.Mesh: bpy.data.meshes, bpy.types.Armature: bpy.data.armatures,
                    bpy.types.Camera: bpy.data.cameras}.get(type(data))
            if pool is not None:
                pool.remove(data)
    bpy.data.collections.remove(collection)


def material(name: str, colour: tuple[float, float, float]) -> bpy.types.Material:
    mat = bpy.data.materials.get(name) or bpy.data.materials.new(name)
    mat.diffuse_color = (*colour, 1.0)
    return mat


def build_box(box: Box, collection, prefix: str) -> bpy.types.Object:
    mesh = bpy.data.meshes.new(f"{prefix}{box.name}")
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.LocRotScale(Vector(box.centre), None, Vector(box.size)))
    bm.to_mesh(mesh)
    bm.free()
    obj = bpy.data.objects.new(mesh.name, mesh)
    obj.data.materials.append(material("BB Set", (0.55, 0.55, 0.58)))
    obj[SET_PART_KEY] = box.name
    collection.objects.link(obj)
    return obj


def build_prop(prop, collection, prefix: str, origin: tuple[float, float]) -> list[bpy.types.Object]:
    """A prop's boxes, each tagged with the prop's kind and its JSON description."""
    import json

    made = []
    info = json.dumps(prop.info(origin))
    for box in prop.boxes:
        obj = build_box(box, collection, prefix)
        obj[PROP_KEY] = prop.kind
        obj[PROP_INFO_KEY] = info
        obj.data.materials[0] = material("BB Prop", (0.62, 0.5, 0.38))
        obj.color = (0.62, 0.5, 0.38, 1.0)
        made.append(obj)
    return made


def _parts_object(name: str, parts, groups: list[str], rig, actor_name: str, collection, colour, mat):
    """One mesh object from body parts, each part's vertices in its bone's vertex group."""
    verts, faces, members = [], [], {}
    for part in parts:
        base = len(verts)
        verts += part.verts
        faces += [tuple(i + base for i in face) for face in part.faces]
        members.setdefault(part.bone, []).extend(range(base, len(verts)))
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    mesh.validate()
    mesh.shade_smooth()
    obj = bpy.data.objects.new(name, mesh)
    for group in groups:
        vertex_group = obj.vertex_groups.new(name=group)
        if group in members:
            vertex_group.add(members[group], 1.0, "REPLACE")
    obj.parent = rig
    obj[ACTOR_KEY] = actor_name
    obj.modifiers.new("Rig", "ARMATURE").object = rig
    obj.data.materials.append(mat)
    obj.color = (*colour, 1.0)
    collection.objects.link(obj)
    return obj


def build_mannequin(actor: "wire.ActorPlacement", collection, prefix: str) -> bpy.types.Object:
    """An armature whose bone heads are the OpenPose joints, and a body skinned to it."""
    height = actor.height_m
    joints = {name: Vector(p) for name, p in joint_positions(height, actor.pose).items()}
    arm_data = bpy.data.armatures.new(f"{prefix}{actor.name} rig")
    rig = bpy.data.objects.new(f"{prefix}{actor.name}", arm_data)
    rig.location = actor.location
    rig.rotation_euler = (0.0, 0.0, math.radians(actor.facing_deg))
    rig[ACTOR_KEY] = actor.name
    rig["beatboard_height"] = height
    rig["beatboard_pose"] = actor.pose
    rig["beatboard_colour"] = list(actor.color)
    rig["beatboard_lora"] = actor.lora
    rig["beatboard_lora_weight"] = actor.lora_weight
    rig["beatboard_pose"] = actor.pose
    set_performance(rig, "", 1.0)
    collection.objects.link(rig)

    view_layer = bpy.context.view_layer
    previous = view_layer.objects.active
    view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for name, head, tail, parent in BONES:
        bone = arm_data.edit_bones.new(name)
        bone.head, bone.tail = joints[head], joints[tail]
        if parent:
            bone.parent = arm_data.edit_bones[parent]
    bpy.ops.object.mode_set(mode="OBJECT")
    view_layer.objects.active = previous

    groups = [name for name, *_ in BONES]
    local = joint_positions(height, actor.pose)
    _parts_object(f"{prefix}{actor.name} body", body.body_parts(local, height), groups, rig, actor.name, collection,
                  actor.color, material(f"BB {actor.name}", actor.color))
    _parts_object(f"{prefix}{actor.name} visor", [body.visor(local, height)], groups, rig, actor.name, collection,
                  VISOR_COLOUR, material("BB Visor", VISOR_COLOUR))
    return rig


VISOR_COLOUR = (0.08, 0.08, 0.1)


def set_performance(rig, emotion: str, intensity: float) -> None:
    """The performance sliders of one actor in one shot (emotion, intensity 0-2), on their rig."""
    rig["beatboard_emotion"] = emotion
    rig["beatboard_intensity"] = float(intensity)
    rig.id_properties_ui("beatboard_intensity").update(min=0.0, max=2.0, soft_min=0.0, soft_max=2.0, step=10,
                                                       description="How strongly the emotion plays (1 is plain)")


def solved_pose(camera) -> list[float]:
    return [v for row in camera.matrix_world for v in row] + [camera.data.lens]


def remember_solved_pose(camera) -> None:
    """The pose the framing solver gave: a camera whose pose differs was moved by hand."""
    camera["beatboard_solved"] = solved_pose(camera)


def build_camera(shot_number: str, placement: CameraPlacement, collection) -> bpy.types.Object:
    data = bpy.data.cameras.new(f"CAM {shot_number}")
    data.lens = placement.focal_length_mm
    data.sensor_width = placement.sensor_width_mm
    data.sensor_fit = "AUTO"
    data.clip_start = 0.1
    data.clip_end = 60.0
    camera = bpy.data.objects.new(f"CAM {shot_number}", data)
    camera.matrix_world = Matrix.Translation(placement.location) @ Matrix(placement.rotation).to_4x4()
    camera[SHOT_KEY] = shot_number
    collection.objects.link(camera)
    remember_solved_pose(camera)
    return camera


def bind_marker(scene, shot_number: str, frame: int, camera) -> bpy.types.TimelineMarker:
    for marker in list(scene.timeline_markers):
        if marker.name == shot_number:
            scene.timeline_markers.remove(marker)
    marker = scene.timeline_markers.new(shot_number, frame=frame)
    marker.camera = camera
    return marker
