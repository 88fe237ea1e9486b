"""The web form (`clausegen serve`): a local drafting and review application (optional extra).

Importing this package is cheap and safe without the `web` extra; FastAPI and uvicorn are
imported only when the application is created or served.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from clausegen.errors import ClausegenError, UsageError

__all__ = ["create_app", "serve"]


def create_app(*args, **kwargs):
    """Return the ASGI application; see `clausegen.web.app.create_app` for the arguments."""
    from clausegen.web.app import create_app as _create_app

    return _create_app(*args, **kwargs)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port_free(host: str, port: int) -> None:
    # uvicorn reports a busy port as a log line and a bare exit; say it the clausegen way.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                             hint="choose another port with --port, or stop the program using it") from None


def serve(host: str = "127.0.0.1", port: int = 8000, library: Path | str | None = None,
          max_upload_bytes: int | None = None, workers: int | None = None) -> int:
    """Serve the web form on `host`:`port` until interrupted; return the exit code (0).

    `library` is a firm's clause library folder (None: clausegen.toml or the built-in one);
    `workers` the number of processes that check uploads (None: two, or one on a single CPU).
    Raises ClausegenError if the `web` extra is not installed, UsageError if the port is taken
    and LibraryError if `library` is unusable.
    """
    try:
        import uvicorn

        from clausegen.web.app import DEFAULT_MAX_UPLOAD_BYTES, create_app as _create_app
    except ImportError as exc:
        raise ClausegenError(f"the web form needs extra packages ({exc.name} is missing)",
                             hint="pip install 'clausegen[web]'") from None
    if not 0 < port < 65536:
        raise UsageError(f"port {port} is not between 1 and 65535", hint="pass --port 8000")
    loopback = _is_loopback(host)
    app = _create_app(library=library,
                      max_upload_bytes=max_upload_bytes or DEFAULT_MAX_UPLOAD_BYTES,
                      allowed_hosts=None if loopback else ["*"], workers=workers)
    _check_port_free(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"clausegen web form: http://{shown}:{port}/  (review: http://{shown}:{port}/review)",
          file=sys.stderr)
    if not loopback:
        print(f"warning: listening on {host}: anyone who can reach this machine can use the form",
              file=sys.stderr)
    print("press Ctrl+C to stop", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    return 0
