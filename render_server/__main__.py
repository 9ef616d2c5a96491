"""python -m render_server [--host H] [--port P]: run the server with uvicorn."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import socket
import sys

import uvicorn

from .api.guards import InsecureSettings
from .http_protocol import uvicorn_options
from .settings import Settings
from .storage.server_lock import DataDirBusy, DataDirLock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _port_taken(host: str, port: int) -> bool:
    """True when something already listens there (bound the way uvicorn binds)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def _has_users(settings: Settings) -> bool:
    """Whether the data folder has people with tokens: then every request needs one."""
    if not settings.people_db_path.exists():
        return False
    from .people import PeopleRepository

    repo = PeopleRepository(settings.people_db_path)
    try:
        return repo.active_user_count() > 0
    finally:
        repo.close()


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="beatboard server", description="Run the Beatboard render server")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or BEATBOARD_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8765, or BEATBOARD_PORT)")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    if not _is_loopback(settings.host) and not settings.token and not _has_users(settings):
        print(f"Refusing to bind {settings.host} without a token: anyone on the network could use this "
              "machine's GPU and read your frames. Set BEATBOARD_TOKEN or add users (beatboard users add NAME "
              "--role admin), or bind 127.0.0.1.", file=sys.stderr)
        return 2
    if _port_taken(settings.host, settings.port):
        print(f"Port {settings.port} on {settings.host} is already in use (another Beatboard server? see "
              f"{_url(settings.host, settings.port)}/v1/health). Pick another port with --port {settings.port + 1} "
              f"or BEATBOARD_PORT, and set the same server URL in the add-on's preferences.", file=sys.stderr)
        return 2
    try:
        DataDirLock(settings.data_dir).check_free()  # before the heavy imports: a busy folder is refused at once
        from .app import create_app

        app = create_app(settings)
    except (InsecureSettings, DataDirBusy) as exc:
        print(f"Not starting: {exc}", file=sys.stderr)
        return 2
    print(f"Beatboard render server on {_url(settings.host, settings.port)} (data in {settings.data_dir}). "
          "Ctrl+C stops it.", flush=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                **uvicorn_options(settings.request_timeout_s, settings.keep_alive_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
