"""``beatboard users add NAME --role ROLE | list | revoke NAME``: people on a team server.

Through the API of a running server (``--server URL --token ADMIN_TOKEN``), or directly on the
data folder when no server holds it. The data folder's lock (storage/server_lock.py) says
which: when a server holds the folder, the command talks to that server (it needs an admin
token then); when none does, it takes the lock itself for the few milliseconds it writes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

ROLES = ("admin", "director", "artist", "viewer", "worker")


def add_parser(sub, server_url) -> None:
    users = sub.add_parser("users", help="people on a team server: add (prints a personal token once), list, revoke")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user; their personal token is printed once")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--project", default="", help="the project (id or name) they get the role in "
                                                   "(default: the default project)")
    actions.add_parser("list", help="users, their roles and projects")
    revoke = actions.add_parser("revoke", help="revoke a user's tokens (refused from their next request on)")
    revoke.add_argument("name")
    for parser in (add, actions.choices["list"], revoke):
        parser.add_argument("--server", type=server_url, help="a running server (default: the one holding the data "
                                                              "folder, if any)")
        parser.add_argument("--token", default=os.environ.get("BEATBOARD_TOKEN", ""),
                            help="an admin token for --server (default: BEATBOARD_TOKEN)")
        parser.add_argument("--data-dir", help="the server's data folder (default: BEATBOARD_DATA_DIR)")
    users.set_defaults(func=run)


class UsersError(Exception):
    pass


def _api(url: str, token: str, method: str, path: str, body: Optional[dict] = None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())
            raise UsersError(f"{error['message']} ({error['hint']})" if error.get("hint") else error["message"])
        except (ValueError, KeyError):
            raise UsersError(f"the server answered {exc.code}") from None
    except OSError as exc:
        raise UsersError(f"no Beatboard server answers at {url} ({getattr(exc, 'reason', exc)})") from None


def _through_api(args, url: str) -> dict:
    if args.action == "add":
        return _api(url, args.token, "POST", "/v1/users", {"name": args.name, "role": args.role,
                                                           "project": args.project})
    if args.action == "list":
        return _api(url, args.token, "GET", "/v1/users")
    _api(url, args.token, "DELETE", f"/v1/users/{urllib.request.quote(args.name, safe='')}")
    return {}


def _on_folder(args, data_dir: Path):
    from render_server.people import AccessError, PeopleRepository, PeopleService, Principal, Role
    from render_server.storage.server_lock import DataDirLock

    with DataDirLock(data_dir):  # no server starts on the folder while we write
        repo = PeopleRepository(data_dir / "people.sqlite3")
        try:
            people = PeopleService(repo)
            local = Principal(f"cli:{os.environ.get('USER', 'local')}", Role.ADMIN)
            if args.action == "add":
                name, token = people.add_user(args.name, args.role, args.project)
                people.record(local, people.project_id(args.project), "user.add", f"{name}={args.role}")
                return {"name": name, "role": args.role, "token": token}
            if args.action == "list":
                return people.users()
            people.revoke(args.name)
            people.record(local, "", "user.revoke", args.name)
            return {}
        except AccessError as exc:
            raise UsersError(f"{exc.message} ({exc.hint})" if exc.hint else exc.message) from None
        finally:
            repo.close()


def run(args: argparse.Namespace) -> int:
    from render_server.settings import Settings
    from render_server.storage.server_lock import DataDirBusy, DataDirLock

    data_dir = Path(args.data_dir) if args.data_dir else Settings().data_dir
    url = args.server
    if url is None:
        holder = DataDirLock(data_dir)
        try:
            holder.check_free()
        except DataDirBusy as busy:
            port = busy.holder.get("port")
            host = busy.holder.get("host") or "127.0.0.1"
            host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
            url = f"http://{host}:{port}"
            print(f"(a server, PID {busy.holder.get('pid', '?')}, holds {data_dir}: asking it at {url})",
                  file=sys.stderr)
    try:
        if url is not None:
            result = _through_api(args, url)
        else:
            result = _on_folder(args, data_dir)
    except UsersError as exc:
        print(f"beatboard users {args.action}: {exc}", file=sys.stderr)
        return 1
    if args.action == "add":
        print(f"added {result['name']} ({result['role']}). Their personal token, shown this once:\n\n"
              f"    {result['token']}\n\nSet it in the add-on preferences (Token) or pass it as --token. "
              "Only its SHA-256 digest is kept; if it is lost, revoke the user and add them again.")
    elif args.action == "list":
        for user in result:
            projects = ", ".join(f"{p}={r}" for p, r in sorted(user.get("projects", {}).items())) or "-"
            state = "revoked" if user.get("revoked") else "active"
            print(f"{user['name']:<20} {user['role']:<9} {state:<8} {projects}")
        if not result:
            print("no users yet: BEATBOARD_TOKEN (if set) is the only way in")
    else:
        print(f"revoked {args.name}: their token is refused from their next request on")
    return 0
