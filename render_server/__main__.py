"""python -m render_server [--host H] [--port P]: run the server with uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
import logging
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="beatboard server", description="Run the Beatboard render server")
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or BEATBOARD_HOST)")
    parser.add_argument("--port", type=int, help="port (default 8765, or BEATBOARD_PORT)")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = Settings(**overrides)
    if not _is_loopback(settings.host) and not settings.token:
        print(f"Refusing to bind {settings.host} without a token: anyone on the network could use this "
              "machine's GPU and read your frames. Set BEATBOARD_TOKEN, or bind 127.0.0.1.", file=sys.stderr)
        return 2
    try:
        DataDirLock(settings.data_dir).check_free()  # before the heavy imports: a busy folder is refused at once
        from .app import create_app

        app = create_app(settings)
    except (InsecureSettings, DataDirBusy) as exc:
        print(f"Not starting: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                **uvicorn_options(settings.request_timeout_s, settings.keep_alive_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
