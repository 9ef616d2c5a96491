"""Export from Blender: storyboard PDF, shot list, editorial timelines, cameras, animatic;
and Import Editorial Timing, the way back from the cutting room.

The board is gathered here (bpy) into plain data. Cameras and the animatic are made here
by Blender's own exporters and sequencer. The documents need libraries Blender does not
bundle (reportlab, OpenTimelineIO and its adapters), so a worker thread hands the gathered
board to the ``beatboard`` command of the environment Beatboard is installed in, in a
subprocess, and reads its progress; the same code writes them from the command line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile

import bpy

from . import export_animatic, export_cameras, export_gather, runner
from .core.board_model import rational_fps
from .core.tasks import Task
from .editorial_timing import apply_timing

DOCUMENTS = ("pdf", "shotlist", "otio", "edl", "fcp7")
_PERCENT = re.compile(r"\((\d+)%\)")


class CommandNotFound(RuntimeError):
    pass


class BEATBOARD_PG_export(bpy.types.PropertyGroup):
    folder: bpy.props.StringProperty(name="Folder", subtype="DIR_PATH", default="//export",
                                     description="Where the files go ('//' is next to the .blend)")
    pdf: bpy.props.BoolProperty(name="Storyboard PDF", default=True)
    shotlist: bpy.props.BoolProperty(name="Shot list", default=True, description="CSV and a PDF table")
    otio: bpy.props.BoolProperty(name="OTIO", default=True, description="OpenTimelineIO timeline")
    edl: bpy.props.BoolProperty(name="EDL", default=True, description="CMX 3600, through OTIO's adapter")
    fcp7: bpy.props.BoolProperty(name="FCP7 XML", default=True, description="Final Cut Pro 7 XML, through OTIO")
    cameras: bpy.props.BoolProperty(name="Cameras", default=True, description="USD, FBX and a JSON sheet per shot")
    animatic: bpy.props.BoolProperty(name="Animatic", default=False,
                                     description="H.264 MP4 rendered by the sequencer, with burned-in text strips")
    layout: bpy.props.EnumProperty(name="Panels", items=[(k, k, "") for k in ("3x2", "3x1", "2x1", "1x1")],
                                   default="3x2")
    page: bpy.props.EnumProperty(name="Paper", items=[("A4", "A4", ""), ("LETTER", "US Letter", ""),
                                                      ("TABLOID", "Tabloid", "")], default="A4")
    watermark: bpy.props.StringProperty(name="Watermark", description="Stamped on every sheet, e.g. CONFIDENTIAL")
    board_version: bpy.props.StringProperty(name="Version", default="v1", description="Printed in the sheet header")
    command: bpy.props.StringProperty(
        name="Beatboard command", subtype="FILE_PATH",
        description="The 'beatboard' program of the environment Beatboard is installed in (empty: the one on PATH)")


def beatboard_command(props) -> str:
    command = bpy.path.abspath(props.command) if props.command else shutil.which("beatboard")
    if not command or not os.path.exists(command):
        raise CommandNotFound("The documents are written by the 'beatboard' command, which was not found. Set "
                              "Beatboard command in the Export section to it (e.g. ~/beatboard/.venv/bin/beatboard)")
    return command


def export_folder(props) -> str:
    if props.folder.startswith("//") and not bpy.data.filepath:
        return os.path.join(tempfile.gettempdir(), "beatboard_export")
    return bpy.path.abspath(props.folder)


def _run_command(task: Task, command: list[str], start: float, share: float) -> str:
    """Run ``command``, turning its '(NN%)' lines into progress; returns what it printed."""
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            lines.append(line.rstrip())
            match = _PERCENT.search(line)
            if match:
                task.report(start + share * int(match.group(1)) / 100, line.split(":", 1)[-1].strip())
            if task.cancelled:
                process.terminate()
    if task.cancelled:
        task.check_cancelled()
    if process.returncode != 0:
        raise RuntimeError(" ".join(lines[-3:]) or f"{command[0]} failed ({process.returncode})")
    return "\n".join(lines)


class BEATBOARD_OT_export(bpy.types.Operator):
    """Export the board: storyboard PDF, shot list, editorial timelines, cameras and the animatic"""

    bl_idname = "beatboard.export"
    bl_label = "Export Board"
    task_name = "export"

    def execute(self, context):
        scene = context.scene
        props = scene.beatboard_export
        kinds = [k for k in DOCUMENTS if getattr(props, k)]
        if not kinds and not props.cameras and not props.animatic:
            self.report({"ERROR"}, "Tick at least one thing to export")
            return {"CANCELLED"}
        if not any(b.shot_number for b in scene.beatboard.beats):
            self.report({"ERROR"}, "No blocked-out shots: use Block Out Shots first")
            return {"CANCELLED"}
        try:
            command = beatboard_command(props) if kinds else ""
        except CommandNotFound as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        folder = export_folder(props)
        os.makedirs(folder, exist_ok=True)
        board = export_gather.gather_board(scene, version=props.board_version)
        gathered = board.write(os.path.join(folder, "board_export.json"))
        written = []
        if props.cameras:
            made = export_cameras.export_cameras(scene, board, os.path.join(folder, "cameras"))
            written += [p for paths in made.values() for p in paths]
        scene_name, rendering = scene.name, props.animatic and not bpy.app.background
        if props.animatic:
            movie = os.path.join(folder, f"{board.file_stem}_animatic.mp4")
            # Started from here, where Blender's render job has a window to report into.
            self.animatic(scene, board, movie)
        arguments = [command, "export", folder, "--gathered", str(gathered), "--out", folder,
                     "--layout", props.layout, "--page", props.page, "--watermark", props.watermark,
                     "--board-version", props.board_version] + [f"--{k}" for k in kinds]

        def work(task: Task):  # worker thread: no bpy here
            return _run_command(task, arguments, 0.0, 1.0) if kinds else ""

        def done(task: Task):
            wrote = [line[len("Wrote "):] for line in (task.result or "").splitlines() if line.startswith("Wrote ")]
            written.extend(wrote)
            target = bpy.data.scenes[scene_name].beatboard
            target.status = f"Exported {len(written)} files to {folder}" + (
                "; the animatic is rendering" if rendering else "")

        error = runner.start(context, Task(self.task_name, work), done)
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        return {"FINISHED"}

    @staticmethod
    def animatic(scene, board, movie: str) -> None:
        props = scene.beatboard
        if bpy.app.background:
            def progress(fraction, status):
                props.progress, props.status = fraction, status

            export_animatic.render_animatic(scene, board, movie, progress)
            return

        def finished(error):
            props.status = error or f"Animatic written: {movie}"
            props.last_error = error or ""

        export_animatic.start_animatic(scene, board, movie, finished)


class BEATBOARD_OT_import_timing(bpy.types.Operator):
    """Read a timeline an editor changed (.otio, .edl, FCP7 .xml) and move each shot, its marker
    and its strips to match; unmatched clips are listed, nothing is deleted"""

    bl_idname = "beatboard.import_timing"
    bl_label = "Import Editorial Timing"
    task_name = "timing"

    filepath: bpy.props.StringProperty(subtype="FILE_PATH")
    filter_glob: bpy.props.StringProperty(default="*.otio;*.edl;*.xml", options={"HIDDEN"})

    def invoke(self, context, event):
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        scene = context.scene
        try:
            command = beatboard_command(scene.beatboard_export)
        except CommandNotFound as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        path = bpy.path.abspath(self.filepath)
        if not os.path.isfile(path):
            self.report({"ERROR"}, f"No timeline at {path}")
            return {"CANCELLED"}
        fps = "{}/{}".format(*rational_fps(scene.render.fps, scene.render.fps_base))
        scene_name = scene.name

        def work(task: Task):
            task.report(0.1, f"reading {os.path.basename(path)}")
            completed = subprocess.run([command, "timing", path, "--fps", fps], capture_output=True, text=True)
            if completed.returncode != 0:
                raise RuntimeError(completed.stderr.strip() or f"beatboard timing failed ({completed.returncode})")
            return json.loads(completed.stdout)

        def done(task: Task):
            target = bpy.data.scenes[scene_name]
            plan = apply_timing(target, task.result)
            target.beatboard.status = f"{os.path.basename(path)}: {plan.summary()}"
            target["beatboard_last_timing"] = {"retimed": [r.shot for r in plan.retimes],
                                               "unmatched_clips": plan.unmatched_clips,
                                               "shots_not_in_cut": plan.shots_not_in_cut}

        error = runner.start(context, Task(self.task_name, work), done, blocking=True)
        if error:
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        report = scene.beatboard.status
        self.report({"WARNING"} if "clips with no shot" in report else {"INFO"}, report)
        return {"FINISHED"}


classes = (BEATBOARD_PG_export, BEATBOARD_OT_export, BEATBOARD_OT_import_timing)
