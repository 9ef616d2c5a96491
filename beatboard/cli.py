"""The ``beatboard`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from pathlib import Path

from . import gc_command, users_command
from .paths import EXAMPLE_SCRIPT


def _board_and_report(command: str, script: Path, out: Path, **options) -> int:
    from .board import BoardError, print_timings, run_board

    try:
        result = run_board(script, out, **options)
    except BoardError as exc:
        print(f"beatboard {command} failed: {exc}", file=sys.stderr)
        return 1
    print_timings(result)
    print(f"\nWrote {result.blend}\nWrote {result.contact_sheet}")
    return 0


def _cmd_demo(args) -> int:
    out = Path(args.out)
    print(f"beatboard demo: {EXAMPLE_SCRIPT.name} -> {out}/demo.blend and {out}/contact_sheet.png", flush=True)
    return _board_and_report("demo", EXAMPLE_SCRIPT, out, blend_name="demo.blend", server_url=args.server,
                             token=args.token, project=args.project)


def _cmd_board(args) -> int:
    from .models_env import ModelsError, server_env_for_model

    try:
        env = server_env_for_model(args.model) if args.model else None
    except ModelsError as exc:
        print(f"beatboard board: {exc}", file=sys.stderr)
        return 1
    if env and args.server:
        print("beatboard board: --model configures the server this command starts; with --server, configure "
              "that server instead (BEATBOARD_DIFFUSERS_MODEL ...)", file=sys.stderr)
        return 1
    width, height = args.size
    return _board_and_report("board", Path(args.script), Path(args.out), server_url=args.server,
                             backend=args.backend, n=args.n, focus=args.focus, token=args.token, server_env=env,
                             steps=args.steps, width=width, height=height, project=args.project)


def _cmd_note(args) -> int:
    from .note import NoteError, apply_note

    try:
        result = apply_note(Path(args.dir), args.text, shot=args.shot, actor=args.actor, board=args.board,
                            server_url=args.server, token=args.token, project=args.project)
    except NoteError as exc:
        print(f"beatboard note: {exc}", file=sys.stderr)
        return 1
    print(result["status"])
    for message in result["messages"]:
        print(f"  {message}")
    print(f"{len(result['jobs'])} new take(s) in {Path(args.dir) / 'board.blend'} ({result['seconds']:.1f} s)")
    return 0


def _cmd_make_tiny_models(args) -> int:
    from render_server.diffusion.tiny_models import make_tiny_models

    paths = make_tiny_models(Path(args.dir))
    print(f"Wrote tiny random-weight models to {args.dir} (they make noise, not pictures):")
    for name, path in paths.items():
        print(f"  {name:<9} {path}")
    print(f"\nTry: beatboard board {EXAMPLE_SCRIPT} --out out/tiny --backend diffusers "
          f"--model {args.dir}")
    return 0


def _cmd_block(args) -> int:
    return _board_and_report("block", Path(args.script), Path(args.out), server_url=args.server, n=args.n,
                             focus=args.focus, token=args.token, block_only=True, project=args.project)


def _cmd_audit(args) -> int:
    from blender_addon.core.audit import AuditInputError, audit, format_table, load_board

    try:
        shots = load_board(Path(args.dir))
    except (AuditInputError, OSError, ValueError) as exc:
        print(f"beatboard audit: {exc}", file=sys.stderr)
        return 2
    violations = audit(shots)
    print(format_table(shots, violations))
    return 1 if args.strict and violations else 0


def _cmd_server(args) -> int:
    from render_server.__main__ import main

    forwarded = []
    if args.host:
        forwarded += ["--host", args.host]
    if args.port:
        forwarded += ["--port", str(args.port)]
    return main(forwarded)


def _cmd_worker(args) -> int:
    from render_server.team.worker_api import ApiRefused, ApiUnreachable
    from render_server.team.worker_process import default_queues, main

    queues = [q.strip() for q in args.queues.split(",") if q.strip()] if args.queues else default_queues()
    try:
        return main(args.server, args.token or os.environ.get("BEATBOARD_TOKEN", ""), queues, args.device,
                    args.concurrency)
    except (ApiRefused, ApiUnreachable) as exc:
        print(f"beatboard worker: {exc}", file=sys.stderr)
        return 1


def _cmd_beats(args) -> int:
    from render_server.beats.ingest import ScriptRejected, refuse_foreign_document
    from render_server.beats.service import break_into_beats
    from render_server.settings import Settings
    from shared_schema import BeatsRequest, to_dict

    from blender_addon.core.script_files import ScriptFileError, read_script

    try:
        with open(args.script, "rb") as handle:  # a renamed PDF or Word file: say what it is, not just "binary"
            refuse_foreign_document(handle.read(8000).decode("latin-1"), Path(args.script).name)
        text = read_script(args.script)
        request = BeatsRequest(script=text, n=args.n, focus=args.focus, filename=Path(args.script).name,
                               extractor=args.extractor)
        response = break_into_beats(request, Settings())
    except (OSError, ScriptFileError) as exc:
        print(f"beatboard beats: {exc}", file=sys.stderr)
        return 1
    except ScriptRejected as exc:
        print(f"beatboard beats: {exc.message}\n  how to fix: {exc.hint}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(to_dict(response), indent=2))
        return 0
    print(f"{response.title or Path(args.script).name}: {response.scenes} scenes, "
          f"characters {', '.join(response.characters)} [{response.format}, {response.extractor}]")
    for beat in response.beats:
        shot = f"{beat.shot.size.value} {beat.shot.lens_mm}mm {beat.shot.angle.value.lower()}"
        print(f"\n{beat.index}. [{beat.scene_number}] {beat.heading}  (lines {beat.line_start}-{beat.line_end})")
        print(f"   {shot}; {', '.join(beat.characters) or 'nobody'}"
              f"{'; enters: ' + ', '.join(beat.entering) if beat.entering else ''}; {beat.emotion}")
        print(f"   {beat.action}")
        if beat.dialogue:
            print(f"   {beat.speaker}: \"{beat.dialogue}\"")
    for warning in response.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _shot_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of shots, e.g. 6") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} shots makes no board; ask for 1 or more (the default is 6)")
    return n


def _server_url(text: str) -> str:
    """host:port or a full URL; http:// is assumed when no scheme is given."""
    url = text.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    parts = urllib.parse.urlsplit(url)
    try:
        parts.port  # raises on a port that is not a number in range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not a server address; give host:port or a URL, "
                                         "e.g. 127.0.0.1:8765 or http://127.0.0.1:8765")
    return url


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 768x432") from None
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise argparse.ArgumentTypeError("width and height must be 16 to 4096 pixels")
    return width, height


def _read_images(paths: list[str]) -> list[bytes]:
    """Every image readable and decodable, or an OSError naming the one that is not: checked
    before anything is created, so a bad path leaves no half-made actor behind."""
    import io

    from PIL import Image, UnidentifiedImageError

    images = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        except (UnidentifiedImageError, SyntaxError, ValueError):
            raise OSError(f"{path} is not an image Pillow can read; give a PNG or JPEG") from None
        except OSError as exc:
            raise OSError(f"cannot read the image {path}: {exc.strerror or exc}") from None
        images.append(data)
    return images


def _project_id(settings, ref: str) -> str:
    """A project named on the command line, as its id (read from the data folder's people database)."""
    if not ref:
        return ""
    from render_server.people import PeopleRepository, PeopleService
    from render_server.people.errors import AccessError
    from render_server.actors.store import ActorStoreError

    repo = PeopleRepository(settings.people_db_path)
    try:
        return PeopleService(repo).project_id(ref)
    except AccessError as exc:
        raise ActorStoreError("not_found", f"{exc.message} in {settings.data_dir}", exc.hint) from None
    finally:
        repo.close()


def _cmd_actors(args) -> int:
    from render_server.actors.embedder import ClipEmbedder
    from render_server.actors.service import ActorService
    from render_server.actors.store import ActorStore, ActorStoreError
    from render_server.settings import Settings
    from shared_schema import ActorProfile, to_dict

    settings = Settings()
    store = ActorStore(settings.actors_db_path)
    service = ActorService(store, ClipEmbedder(settings.clip_model, settings.clip_checkpoint), settings.artifacts)
    try:
        if args.action == "add":
            images = _read_images(args.image or [])
            actor = service.create(ActorProfile(name=args.name, description=args.description, height_m=args.height,
                                                project=_project_id(settings, args.project)))
            for image in images:
                service.add_reference(actor.id, image)
            print(f"added {actor.name} ({actor.id})")
        elif args.action == "list":
            for actor in service.list(project=_project_id(settings, args.project)):
                print(f"{actor.name:<20} {actor.height_m:.2f} m  {actor.description[:60]}")
        elif args.action == "show":
            project = _project_id(settings, args.project) or None
            actor = store.require(args.name, project)  # its castings, hints and notes in that project
            project = project or actor.project or "default"
            print(json.dumps(to_dict(actor), indent=2))
            history = store.trajectory(actor.id, service.embedder.name)
            print(f"profile updates: {len(history)} ({', '.join(h['cause'] for h in history[-5:])})")
            loras = ", ".join(f"v{v['version']} {v['status']}" for v in store.lora_versions(actor.id))
            print(f"notes in {project}: {store.note_count(actor.id, project)}; LoRA versions: {loras or 'none'}")
        elif args.action == "search":
            for actor, distance in service.search(args.text, k=args.k, project=_project_id(settings, args.project)):
                print(f"{distance:6.3f}  {actor.name:<20} {actor.description[:60]}")
        elif args.action == "identify":
            for actor, distance in service.identify(Path(args.image).read_bytes(), k=args.k):
                print(f"{distance:6.3f}  {actor.name}")
        elif args.action == "frames":
            frames = service.nearest_frames(args.name, k=args.k)
            if not frames:
                print(f"{store.require(args.name).name} has no approved frames yet")
            for ref, distance in frames:
                print(f"{distance:6.3f}  {ref}")
    except (ActorStoreError, OSError) as exc:
        print(f"beatboard actors: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _cmd_export(args) -> int:
    from .export.pdf_sheets import SheetError
    from .export.run import KINDS, ExportError, ExportOptions, export_board
    from .export.timeline import TimelineError

    kinds = tuple(k for k in KINDS if getattr(args, k)) if not args.all else KINDS
    options = ExportOptions(kinds=kinds or KINDS, layout=args.layout, page_size=args.page, watermark=args.watermark,
                            version=args.board_version)
    try:
        result = export_board(Path(args.dir), Path(args.out) if args.out else None, options,
                              Path(args.gathered) if args.gathered else None,
                              lambda fraction, status: print(f"beatboard export: {status} ({fraction:.0%})",
                                                             flush=True))
    except (ExportError, SheetError, TimelineError, OSError) as exc:
        print(f"beatboard export: {exc}", file=sys.stderr)
        return 1
    print(f"\n{'export':<16}{'seconds':>10}")
    for kind, seconds in result.timings.items():
        print(f"{kind:<16}{seconds:>10.2f}")
    for kind, files in result.files.items():
        for path in files:
            print(f"Wrote {path}")
    return 0


def _cmd_timing(args) -> int:
    from fractions import Fraction

    from .export.timeline import TimelineError, read_timing

    try:
        timings = read_timing(Path(args.file), float(Fraction(args.fps)))
    except (TimelineError, ValueError, ZeroDivisionError) as exc:
        print(f"beatboard timing: {exc}", file=sys.stderr)
        return 1
    print(json.dumps([t.__dict__ for t in timings], indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="beatboard", description="Script to storyboard in Blender")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the example script end to end (no weights, no GPU)")
    demo.add_argument("--out", default="out", help="folder for demo.blend and contact_sheet.png (default ./out)")
    demo.add_argument("--server", type=_server_url, help="use this running server instead of starting one")
    demo.add_argument("--token", default="", help="your token on that server")
    demo.add_argument("--project", default="", help="the project on the server (id or name; default: 'default')")
    demo.set_defaults(func=_cmd_demo)

    server = sub.add_parser("server", help="run the render server (127.0.0.1:8765 by default)")
    server.add_argument("--host")
    server.add_argument("--port", type=int)
    server.set_defaults(func=_cmd_server)

    worker = sub.add_parser("worker", help="team mode: run jobs queued by a server started with BEATBOARD_BROKER_URL")
    worker.add_argument("--server", type=_server_url, required=True, help="the render server's URL")
    worker.add_argument("--token", default="", help="a worker-role token (beatboard users add NAME --role worker), or the server's BEATBOARD_TOKEN")
    worker.add_argument("--queues", default="", help="comma-separated Celery queues (default: render.previs, plus "
                        "render.sd15 or render.sdxl when BEATBOARD_DIFFUSERS_MODEL is set; 'training' for LoRAs)")
    worker.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (for the diffusers backend)")
    worker.add_argument("--concurrency", type=int, default=1, help="pool processes, each one job at a time")
    worker.set_defaults(func=_cmd_worker)

    beats = sub.add_parser("beats", help="break a script into beats")
    beats.add_argument("script")
    beats.add_argument("--n", type=_shot_count, default=6)
    beats.add_argument("--focus", default="")
    beats.add_argument("--json", action="store_true")
    beats.add_argument("--extractor", choices=["auto", "offline", "llm"], default="auto",
                       help="auto: the LLM when BEATBOARD_LLM_* is set, else offline")
    beats.set_defaults(func=_cmd_beats)

    board = sub.add_parser("board", help="script -> blocked-out, rendered board (.blend + contact sheet)")
    board.add_argument("script")
    board.add_argument("--out", required=True)
    board.add_argument("--server", type=_server_url, help="use this running server instead of starting one "
                                                          "(host:port or URL)")
    board.add_argument("--backend", default="", help="render backend (default: the server's default, previs)")
    board.add_argument("--n", type=_shot_count, default=6)
    board.add_argument("--focus", default="")
    board.add_argument("--token", default="")
    board.add_argument("--project", default="", help="the project on the server (id or name; default: 'default'); "
                                                     "stored in the .blend")
    board.add_argument("--steps", type=int, default=20, help="denoising steps (diffusers)")
    board.add_argument("--size", type=_size, default=(768, 432), help="frame size WxH (default 768x432)")
    board.add_argument("--model", help="a diffusers model folder or hub id, or a 'make-tiny-models' folder; "
                                       "configures the server this command starts")
    board.set_defaults(func=_cmd_board)

    actors = sub.add_parser("actors", help="the actor store: add, list, show, search, identify, frames "
                                             "(BEATBOARD_DATA_DIR)")
    actor_sub = actors.add_subparsers(dest="action", required=True)
    add = actor_sub.add_parser("add")
    add.add_argument("name")
    add.add_argument("--description", default="")
    add.add_argument("--height", type=float, default=1.75)
    add.add_argument("--image", action="append", help="a reference image (repeatable)")
    add.add_argument("--project", default="", help="make the actor private to this project (id or name); "
                                                   "default: the studio-wide library")
    listing = actor_sub.add_parser("list")
    listing.add_argument("--project", default="", help="the library as this project sees it (default: every actor)")
    show = actor_sub.add_parser("show")
    show.add_argument("--project", default="", help="castings, hints and notes in this project (default: the actor's "
                                                   "own, or 'default')")
    show.add_argument("name")
    search = actor_sub.add_parser("search")
    search.add_argument("text")
    search.add_argument("--k", type=int, default=5)
    search.add_argument("--project", default="", help="search as this project sees the library (default: 'default')")
    identify = actor_sub.add_parser("identify", help="which stored actor an image (a crop) shows")
    identify.add_argument("image")
    identify.add_argument("--k", type=int, default=3)
    frames = actor_sub.add_parser("frames", help="the actor's approved frames nearest their profile")
    frames.add_argument("name")
    frames.add_argument("--k", type=int, default=5)
    actors.set_defaults(func=_cmd_actors)

    gc_command.add_parser(sub)
    users_command.add_parser(sub, _server_url)
    note = sub.add_parser("note", help="a director's note on DIR/board.blend: re-render what it changes, save")
    note.add_argument("dir")
    note.add_argument("text")
    target = note.add_mutually_exclusive_group()
    target.add_argument("--board", action="store_true", help="for the whole board (time of day, weather ...)")
    target.add_argument("--actor", default="", help="for one actor (every shot they are in, or --shot N)")
    note.add_argument("--shot", default="", help="the shot the note is for")
    note.add_argument("--server", default="", help="a running server (default: start one on DIR/server-data)")
    note.add_argument("--token", default="")
    note.add_argument("--project", default="", help="the board's project on the server (id or name; default: the "
                                                    "one stored in the .blend); a board there already must be in it")
    note.set_defaults(func=_cmd_note)

    tiny = sub.add_parser("make-tiny-models", help="write tiny random-weight models of the real architectures")
    tiny.add_argument("dir")
    tiny.set_defaults(func=_cmd_make_tiny_models)

    block = sub.add_parser("block", help="script -> blocked-out shots: .blend, per-shot depth/keypoints/masks, "
                                         "and a contact sheet of Workbench blockouts")
    block.add_argument("script")
    block.add_argument("--out", required=True)
    block.add_argument("--server", type=_server_url, help="use this running server for beats instead of "
                                                          "starting one (host:port or URL)")
    block.add_argument("--n", type=_shot_count, default=6)
    block.add_argument("--focus", default="")
    block.add_argument("--token", default="")
    block.add_argument("--project", default="", help="the project on the server (id or name; default: 'default')")
    block.set_defaults(func=_cmd_block)

    audit = sub.add_parser("audit", help="check every shot of a 'block' or 'board' output folder: subject in "
                                         "frame, clear view, setups, 180-degree line, headroom, colours")
    audit.add_argument("dir", help="the --out folder of 'beatboard block' or 'beatboard board'")
    audit.add_argument("--strict", action="store_true", help="exit with status 1 when any rule fails")
    audit.set_defaults(func=_cmd_audit)
    export = sub.add_parser("export", help="DIR/board.blend -> storyboard PDF, shot list, animatic, OTIO/EDL/FCP7 "
                                           "timelines, cameras (all of them unless you pick)")
    export.add_argument("dir", help="the board folder (with board.blend)")
    for kind, text in [("pdf", "storyboard sheets"), ("shotlist", "shot list, CSV and PDF"),
                       ("animatic", "H.264 MP4 from Blender's sequencer"), ("otio", "OpenTimelineIO timeline"),
                       ("edl", "CMX 3600 EDL"), ("fcp7", "Final Cut Pro 7 XML"),
                       ("cameras", "USD, FBX and a JSON sheet per shot")]:
        export.add_argument(f"--{kind}", action="store_true", help=text)
    export.add_argument("--all", action="store_true", help="every kind (the default when none is picked)")
    export.add_argument("--out", help="folder for the files (default DIR/export)")
    export.add_argument("--layout", default="3x2", choices=["3x2", "3x1", "2x1", "1x1"], help="panels per sheet")
    export.add_argument("--page", default="A4", choices=["A4", "LETTER", "TABLOID"], help="paper, landscape")
    export.add_argument("--watermark", default="", help="text stamped across every sheet, e.g. CONFIDENTIAL")
    export.add_argument("--board-version", default="", help="printed in the sheet header, e.g. 'v3'")
    export.add_argument("--gathered", help=argparse.SUPPRESS)  # the add-on hands over a board it gathered
    export.set_defaults(func=_cmd_export)

    timing = sub.add_parser("timing", help="the clips of an edited .otio/.edl/.xml and where they sit, as JSON "
                                           "(what Import Editorial Timing applies)")
    timing.add_argument("file")
    timing.add_argument("--fps", default="24", help="the board's frame rate, e.g. 24 or 24000/1001")
    timing.set_defaults(func=_cmd_timing)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe must not surface at exit
        return code
    except BrokenPipeError:
        # The reader went away (``beatboard beats --json | head``): stop quietly, as Unix tools do.
        # Python's documented recipe: point stdout at devnull so the final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
