"""Block out every shared script (N=6 and 12) and the example (N=6, 12, 24), audit each board,
and print one summary line per board.

Usage:
  .venv/bin/python bench/audit_sweep.py --out OUT            # 'beatboard block' each (one render server), audit
  .venv/bin/python bench/audit_sweep.py --out OUT --fast     # one Blender, facts only (no renders), audit
  .venv/bin/python bench/audit_sweep.py --out OUT --fast --sheets  # ... plus blockouts and a contact sheet per board
  .venv/bin/python bench/audit_sweep.py --out OUT --audit-only  # audit boards already in OUT
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from blender_addon.core.audit import audit, load_board  # noqa: E402
from blender_addon.core.audit.rules import RULE_NAMES  # noqa: E402

SCRIPTS = REPO.parent / "shared" / "scripts"
EXAMPLE = REPO / "examples" / "the_last_ferry.fountain"


EXTRA: list[tuple[str, Path, int]] = []  # --script PATH:N boards, added to the sweep


def boards() -> list[tuple[str, Path, int]]:
    runs = [(f"{p.stem}-{n}", p, n) for p in sorted(SCRIPTS.glob("*.fountain")) for n in (6, 12)]
    return runs + [(f"example-{n}", EXAMPLE, n) for n in (6, 12, 24)] + EXTRA


FAST = r"""
import bpy, json, pathlib
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.extensions.package_install_files(filepath=ZIP, repo="user_default", enable_on_install=True)
bpy.context.preferences.addons["bl_ext.user_default.beatboard"].preferences.server_url = URL
from bl_ext.user_default.beatboard import shot_facts
scene = bpy.context.scene
scene.render.resolution_x, scene.render.resolution_y = 768, 432
for name, script, n in BOARDS:
    bpy.ops.beatboard.load_script(filepath=script)
    scene.beatboard.beat_count = n
    bpy.ops.beatboard.break_into_beats()
    bpy.ops.beatboard.block_out_shots(replace_existing=True)
    shots = [shot_facts.gather(scene, b).to_dict() for b in scene.beatboard.beats if b.camera]
    folder = pathlib.Path(OUT) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "board_facts.json").write_text(json.dumps({"title": scene.beatboard.title, "shots": shots}))
    if SHEETS:  # Workbench blockouts at half size, for the contact sheet
        scene.render.engine = "BLENDER_WORKBENCH"
        scene.display.shading.color_type = "OBJECT"
        scene.render.resolution_percentage = 50
        for b in scene.beatboard.beats:
            if b.camera:
                scene.camera = b.camera
                scene.frame_set(b.frame_start)
                scene.render.filepath = str(folder / f"shot_{b.shot_number}_blockout.png")
                bpy.ops.render.render(write_still=True)
        scene.render.resolution_percentage = 100
    print("done", name, flush=True)
"""


def _contact_sheet(folder: Path) -> Path | None:
    from beatboard.contact_sheet import Panel, make_contact_sheet

    shots = load_board(folder)
    panels = [Panel(str(folder / f"shot_{s.shot}_blockout.png"), s.shot, f"sc {s.scene_number}", s.action,
                    f"{s.size.replace('_', ' ')} {s.lens_mm:g}mm  ({s.subject})", s.dialogue) for s in shots]
    panels = [p for p in panels if Path(p.image_path).is_file()]
    return make_contact_sheet(panels, folder / "contact_sheet.png", title=folder.name) if panels else None


def _fast(out: Path, sheets: bool = False) -> None:
    """Every board in one Blender process: block out and measure, no renders."""
    import os
    import tempfile

    from beatboard.extension_build import build_extension
    from beatboard.server_process import ServerProcess

    with tempfile.TemporaryDirectory() as tmp, ServerProcess(out / "server-data") as server:
        zip_path = build_extension(Path(tmp))
        runs = [(name, str(script), n) for name, script, n in boards()]
        code = (f"ZIP = {str(zip_path)!r}\nURL = {server.url!r}\nOUT = {str(out)!r}\nBOARDS = {runs!r}\n"
                f"SHEETS = {sheets!r}\n" + FAST)
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "BLENDER_USER_RESOURCES": tmp},
                       stdout=subprocess.DEVNULL, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--audit-only", action="store_true")
    parser.add_argument("--fast", action="store_true", help="one Blender process, facts only, no renders")
    parser.add_argument("--sheets", action="store_true",
                        help="with --fast: also render Workbench blockouts and write OUT/BOARD/contact_sheet.png")
    parser.add_argument("--script", action="append", default=[], metavar="PATH:N",
                        help="also block this script at N beats (e.g. tests/data/blocking_checks.fountain:7)")
    args = parser.parse_args()
    for spec in args.script:
        path, _, n = spec.rpartition(":")
        EXTRA.append((f"{Path(path).stem}-{n}", Path(path).resolve(), int(n)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.fast:
        _fast(out, sheets=args.sheets)
        if args.sheets:
            for name, _, _ in boards():
                _contact_sheet(out / name)
    elif not args.audit_only:
        from beatboard.server_process import ServerProcess

        with ServerProcess(out / "server-data") as server:
            for name, script, n in boards():
                subprocess.run([sys.executable, "-m", "beatboard.cli", "block", str(script), "--out", str(out / name),
                                "--n", str(n), "--server", server.url], stdout=subprocess.DEVNULL, check=False)
    total = Counter()
    print(f"{'board':<36}{'shots':>6}{'violations':>11}{'failing':>9}  by rule")
    shots_all = 0
    for name, _, _ in boards():
        try:
            shots = load_board(out / name)
        except ValueError as exc:
            print(f"{name:<36} missing: {exc}")
            continue
        found = audit(shots)
        counts = Counter(v.rule for v in found)
        total.update(counts)
        shots_all += len(shots)
        by_rule = ", ".join(f"{r} {counts[r]}" for r in RULE_NAMES if counts[r])
        print(f"{name:<36}{len(shots):>6}{len(found):>11}{len({v.shot for v in found}):>9}  {by_rule}")
    print(f"{'all':<36}{shots_all:>6}{sum(total.values()):>11}{'':>9}  "
          + ", ".join(f"{r} {total[r]}" for r in RULE_NAMES if total[r]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
