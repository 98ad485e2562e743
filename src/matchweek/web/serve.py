"""``matchweek serve``: run the portal with uvicorn on a store (SQLite file by default, PostgreSQL by URL).

Configuration beyond the arguments comes from the environment:

- ``MATCHWEEK_DATABASE_URL``: the database (``postgresql+psycopg://...`` for PostgreSQL);
- ``MATCHWEEK_SECRET_KEY``: the key signing sessions (else one generated and kept in a file
  beside the SQLite database, or in the working directory);
- ``MATCHWEEK_CLOCK_SPEED``: Match Week minutes per wall-clock minute (demo default 60);
- ``MATCHWEEK_CLOCK_START``: the Match Week time the clock starts at (``Mon 09:00``);
- ``MATCHWEEK_SECURE_COOKIES``: ``1`` or ``0`` to force the cookie's Secure flag (default:
  Secure when the request came over https).
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from matchweek.errors import MatchweekError
from matchweek.model import WeekTime
from matchweek.store import DATABASE_URL_VARIABLE, Store, WeekClock
from matchweek.store import database_url as configured_database_url
from matchweek.web.settings import PortalConfigError, PortalSettings, secret_key

CLOCK_SPEED_ENV = "MATCHWEEK_CLOCK_SPEED"
CLOCK_START_ENV = "MATCHWEEK_CLOCK_START"
SECURE_COOKIES_ENV = "MATCHWEEK_SECURE_COOKIES"
DEMO_CLOCK_SPEED = 60.0
"""In a demo an hour of Match Week passes per minute, so a whole SOAP runs in under two hours."""
DEMO_CLOCK_START = "Mon 09:00"
KEY_FILE_NAME = "matchweek-secret.key"


def serve(host: str, port: int, demo: bool, database_url: str | None) -> None:
    """Serve the portal on ``host``:``port`` until interrupted.

    ``database_url`` None uses ``MATCHWEEK_DATABASE_URL`` or the SQLite file
    ``matchweek.db`` in the working directory. ``demo`` starts on a fresh SQLite
    database in a temporary folder (unless a URL is given or set in the environment:
    that database must be empty), loads a generated small market with its Main Match
    done, creates an account for each role and prints them.
    Raises a MatchweekError (one line) for a configuration that cannot work.
    """
    import uvicorn

    from matchweek.web.app import create_app

    chosen = database_url or os.environ.get(DATABASE_URL_VARIABLE) or None
    folder = Path(tempfile.mkdtemp(prefix="matchweek-demo-")) if demo and chosen is None else None
    url = chosen or (f"sqlite:///{folder / 'matchweek-demo.db'}" if folder else configured_database_url())
    clock = _clock(demo)
    settings = PortalSettings(secret_key=secret_key(_key_file(url, folder)), secure_cookies=_secure_cookies())
    store = Store(url, clock=clock)
    try:
        if demo:
            _seed(store)
        _settle_heap()
        app = create_app(store, settings=settings)
        print(f"matchweek portal: http://{_host_for_url(host)}:{port}/  (database {store.url})", flush=True)
        print(f"Match Week clock at {clock.now()}, running {clock.speed:g}x real time.", flush=True)
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
    finally:
        store.close()


def _settle_heap() -> None:
    """Keep the garbage collector off the market and state the store has just loaded.

    They live as long as the server, and a national market is millions of objects: with
    them in the collector's view, each full collection under load pauses every request for
    up to a second. Frozen, and with collections of new objects less frequent, the slowest
    requests of the Monday burst take tens of milliseconds instead.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _clock(demo: bool) -> WeekClock:
    speed_text = os.environ.get(CLOCK_SPEED_ENV)
    try:
        speed = float(speed_text) if speed_text else (DEMO_CLOCK_SPEED if demo else 1.0)
    except ValueError:
        raise PortalConfigError(f"{CLOCK_SPEED_ENV}: must be a number, got {speed_text!r}") from None
    start_text = os.environ.get(CLOCK_START_ENV) or (DEMO_CLOCK_START if demo else "Mon 00:00")
    try:
        start = WeekTime.parse(start_text)
    except ValueError as e:
        raise PortalConfigError(f"{CLOCK_START_ENV}: {e}") from None
    return WeekClock(start, speed=speed)


def _secure_cookies() -> bool | None:
    value = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    return None


def _key_file(url: str, folder: Path | None) -> Path:
    """Where the generated session key is kept: beside an SQLite file, else in the working directory."""
    if folder is not None:
        return folder / KEY_FILE_NAME
    try:
        parsed = make_url(url)
    except ArgumentError:  # the store reports a malformed URL in its own words
        return Path.cwd() / KEY_FILE_NAME
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        return Path(parsed.database).resolve().with_name(KEY_FILE_NAME)
    return Path.cwd() / KEY_FILE_NAME


def _seed(store: Store) -> None:
    from matchweek.store.demo import seed_demo

    if store.market() is not None or store.state().started:
        raise MatchweekError("--demo needs an empty database: this one already holds a market")
    print("Generating the demo market and running its Main Match...", flush=True)
    accounts = seed_demo(store)
    print(f"Demo accounts (password for all: {accounts.password}):", flush=True)
    print(f"  operator   {accounts.operator}", flush=True)
    for username, code in accounts.programs.items():
        print(f"  program    {username}  (manages {code})", flush=True)
    for username, applicant in accounts.applicants.items():
        print(f"  applicant  {username}  (applicant {applicant})", flush=True)
    print("Sign in as the operator to start SOAP.", flush=True)


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host
