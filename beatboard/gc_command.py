"""``beatboard gc --older-than 30d``: delete finished jobs and their frames to free disk space."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    gc = sub.add_parser("gc", help="delete finished jobs older than an age, with their frames (BEATBOARD_DATA_DIR)")
    gc.add_argument("--older-than", required=True, metavar="AGE",
                    help="e.g. 30d, 12h, 90m: jobs that finished (done, failed, cancelled) longer ago go")
    gc.add_argument("--data-dir", help="the server's data folder (default: BEATBOARD_DATA_DIR)")
    gc.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from render_server.services.job_cleanup import collect_garbage, parse_age
    from render_server.settings import Settings
    from render_server.storage.job_store import JobStore

    try:
        age = parse_age(args.older_than)
    except ValueError as exc:
        print(f"beatboard gc: {exc}", file=sys.stderr)
        return 2
    settings = Settings(**({"data_dir": Path(args.data_dir)} if args.data_dir else {}))
    if not settings.db_path.exists():
        print(f"beatboard gc: no job database in {settings.data_dir} (set BEATBOARD_DATA_DIR or --data-dir)",
              file=sys.stderr)
        return 2
    store = JobStore(settings.db_path)
    try:
        result = collect_garbage(store, settings.frames_dir, age)
    finally:
        store.close()
    print(f"deleted {result.jobs} job(s) and {result.orphan_folders} orphaned frame folder(s) from "
          f"{settings.data_dir}, freeing {result.bytes_freed / 1e6:.1f} MB")
    return 0
