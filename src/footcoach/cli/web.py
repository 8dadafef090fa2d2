"""``footcoach serve``, ``footcoach user ...`` and ``footcoach invite``: the web interface and its accounts."""

from __future__ import annotations

import sys

import click

from footcoach.cli.options import FileName
from footcoach.common.errors import BadInput
from footcoach.common.terminal import escape_user

LOOPBACK = ("127.0.0.1", "::1", "localhost")
DEFAULT_PORT = 8765
PORT_MAX = 65535
WORKERS_MAX = 64
LINK_DAYS_DEFAULT = 14  # not clinical: how long a runner link stays valid


def _has_uvloop() -> bool:
    import importlib.util

    return importlib.util.find_spec("uvloop") is not None


def _free_port(host: str, port: int) -> int:
    """Bind ``host:port`` once before announcing anything: the port really listened on (``--port 0``
    picks a free one), or a usage error naming the option (exit 2).  uvicorn binds it again at once."""
    import errno
    import json
    import socket

    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise BadInput(
            [
                f"--host: value {json.dumps(host)}: not an address ({exc}); allowed: an address or name of this "
                f"machine, e.g. {', '.join(LOOPBACK)}"
            ]
        ) from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise BadInput(
                    [
                        f"--port: value {port}: {exc.strerror}; allowed: a free port this user may open, "
                        "or 0 for any free one"
                    ]
                ) from None
            raise BadInput(
                [
                    f"--host: value {json.dumps(host)}: {exc.strerror}; allowed: an address of this machine, "
                    f"e.g. {', '.join(LOOPBACK)}"
                ]
            ) from None
        bound: int = sock.getsockname()[1]
        return bound


def _db(ctx: click.Context, db_path: str | None) -> str | None:
    return db_path or (ctx.obj or {}).get("db")


_db_option = click.option(
    "--db",
    "db_path",
    type=FileName(),
    envvar="FOOTCOACH_DB",
    default=None,
    help="SQLite database file.",
)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (localhost by default).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, PORT_MAX))
@click.option("--https-only", is_flag=True, help="Mark cookies Secure (behind a TLS reverse proxy).")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="Address of a reverse proxy whose X-Forwarded-For / X-Forwarded-Proto are believed (repeatable).",
)
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, WORKERS_MAX), help="Processes (one per core)."
)
@_db_option
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    host: str,
    port: int,
    https_only: bool,
    trusted_proxies: tuple[str, ...],
    workers: int,
    db_path: str | None,
) -> None:
    """Serve the physiotherapists' pages, the runners' triage links and the JSON API."""
    import os

    import uvicorn

    from footcoach.storage.connection import resolve_db_path

    db = str(resolve_db_path(_db(ctx, db_path)))
    port = _free_port(host, port)
    if host not in LOOPBACK:
        click.echo(
            f"warning: listening on {host}, reachable from other machines: put it behind a TLS reverse proxy "
            "(--https-only) and a firewall",
            err=True,
        )
    if workers > 1 and not _has_uvloop():
        # uvicorn's workers share a socket it binds itself, on which Python's asyncio loop leaves
        # Nagle's algorithm on: each answer's body then waits for the client's delayed ACK.
        click.echo(
            "warning: without uvloop, several workers answer kept-alive connections about 40 ms late "
            "(Nagle's algorithm); install uvloop or use --workers 1",
            err=True,
        )
    os.environ["FOOTCOACH_WEB_DB"] = db
    os.environ["FOOTCOACH_WEB_HTTPS_ONLY"] = "1" if https_only else ""
    os.environ["FOOTCOACH_WEB_PROXIES"] = ",".join(trusted_proxies)
    click.echo(f"footcoach serving {db} on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(
        "footcoach.web.entry:app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_level="warning",
        # No access log: it would cost every request a log record, and its lines would carry the
        # runners' personal link tokens (/t/<token>).
        access_log=False,
        http="auto",  # httptools when installed (it is a dependency), else h11
        loop="auto",  # uvloop when installed, else asyncio
    )


@click.group("user")
def user_group() -> None:
    """Physiotherapists' accounts for `footcoach serve`."""


@user_group.command("add")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (one line) instead of asking.")
@_db_option
@click.pass_context
def user_add(ctx: click.Context, email: str, password_stdin: bool, db_path: str | None) -> None:
    """Create an account (password hashed with argon2)."""
    from footcoach.storage import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    user = accounts.add_user(_db(ctx, db_path), email, password)
    click.echo(f"account {escape_user(user['email'])} created", err=True)


@user_group.command("token")
@click.argument("email")
@_db_option
@click.pass_context
def user_token(ctx: click.Context, email: str, db_path: str | None) -> None:
    """Print a new API token for the account (shown once; only its hash is stored)."""
    from footcoach.storage import accounts

    click.echo(accounts.new_api_token(_db(ctx, db_path), email))


@user_group.command("revoke-token")
@click.argument("email")
@_db_option
@click.pass_context
def user_revoke(ctx: click.Context, email: str, db_path: str | None) -> None:
    """Revoke every API token of the account."""
    from footcoach.storage import accounts

    n = accounts.revoke_api_tokens(_db(ctx, db_path), email)
    click.echo(f"{n} token(s) revoked", err=True)


@click.command("invite")
@click.argument("runner_id", metavar="RUNNER_ID")
@click.option("--days", default=LINK_DAYS_DEFAULT, show_default=True, type=int, help="Days the link stays valid.")
@click.option("--base-url", default="http://127.0.0.1:8765", show_default=True, help="Where runners reach the server.")
@click.option("--revoke", is_flag=True, help="Revoke every link of the runner instead.")
@_db_option
@click.pass_context
def invite_cmd(ctx: click.Context, runner_id: str, days: int, base_url: str, revoke: bool, db_path: str | None) -> None:
    """Print a personal triage link for a stored runner (valid --days days)."""
    from footcoach.service import read
    from footcoach.storage import accounts
    from footcoach.storage.runners import show_runner

    db = _db(ctx, db_path)
    read(db, show_runner, runner_id)  # an unknown runner is bad input
    if revoke:
        click.echo(f"{accounts.revoke_runner_links(db, runner_id)} link(s) revoked", err=True)
        return
    token = accounts.new_runner_link(db, runner_id, days)
    click.echo(f"{base_url.rstrip('/')}/t/{token}")


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
    group.add_command(user_group)
    group.add_command(invite_cmd)
