"""The clearinghouse's service layer: runs SOAP commands through the engine and keeps their record.

The SOAP event log in the database is the record of truth. Each command is
checked by the pure engine and, in one transaction, its events are appended and
the read models updated; only then does its caller hear back. The live state
is the fold of the log: rebuilt by replaying it when the store opens, then kept
up to date command by command. The market and the Main Match result are kept
beside the log, and portal accounts with them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, get_args

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from matchweek.formats import market_from_json, market_to_json, result_from_json, result_to_json
from matchweek.formats.market_json import MARKET_FORMAT
from matchweek.formats.result_json import RESULT_FORMAT
from matchweek.match import run_match
from matchweek.model import Market, MatchResult, Policy, WeekTime
from matchweek.soap import (
    Command,
    Event,
    RuleViolation,
    SoapState,
    applicants_of,
    apply,
    handle,
    replay,
    soap_universe,
)
from matchweek.store import schema
from matchweek.store.accounts import (
    Account,
    ImportedAccount,
    Role,
    checked_account,
    checked_hash,
    hash_password,
    password_matches,
    renewed_hash,
)
from matchweek.store.clock import WeekClock
from matchweek.store.database import Database, database_url
from matchweek.store.errors import StoreError, check_actor
from matchweek.store.eventlog import (
    StoredEvent,
    check_gap_free,
    event_row,
    read_events,
    read_log,
)
from matchweek.store.projection import (
    changes,
    differences,
    project,
    rebuild,
    state_summary,
    stored_tables,
    table_summary,
    write_changes,
)
from matchweek.store.schedule import ScheduleStep, due_command, schedule
from matchweek.store.views import ApplicationView
from matchweek.store.writer import GroupCommitWriter, Request

if TYPE_CHECKING:
    from matchweek.week.stats import WeekStats

log = logging.getLogger(__name__)

_COMMAND_TYPES = get_args(Command)
_MARKET = "market"
_MATCH_RESULT = "match_result"
_USERNAMES_PER_QUERY = 500
_LOCK_HEAD = select(schema.log_head.c.last_seq).where(schema.log_head.c.id == 1).with_for_update()


class Store:
    """The clearinghouse's records and the live SOAP state, on SQLite or PostgreSQL.

    Opening a store migrates the database to the newest schema, restores the
    market and Main Match result, replays the event log into the live state and
    checks the read models against the log (rebuilding them should they ever
    disagree). ``clock`` drives :meth:`tick`; without one, the week starts on
    Monday 00:00 when the store opens and runs in real time. A clock behind the
    log's last recorded time is moved forward to it.

    Thread-safe. Close it with :meth:`close` (or use it as a context manager).
    """

    def __init__(self, url: str | None = None, *, clock: WeekClock | None = None) -> None:
        self._state_lock = threading.RLock()
        self._db = Database(url if url is not None else database_url(), memory_lock=self._state_lock)
        self._state = SoapState()
        self._log: list[Event] = []
        self._last_seq = 0
        self._reader = threading.local()
        self._setup_lock = threading.RLock()
        self._tick_lock = threading.Lock()
        self._stale = False
        self._accounts: dict[str, Account] = {}
        self._stats: tuple[int, WeekStats] | None = None
        try:
            self._db.migrate()
            self._market, self._match_result = self._load_setup()
            self._open_log()
        except DBAPIError as e:
            self._db.dispose()
            raise StoreError(f"cannot open the database {self.url}: {_one_line(e.orig or e)}") from None
        except BaseException:
            self._db.dispose()
            raise
        self._clock = clock if clock is not None else WeekClock(WeekTime(0))
        if self._state.clock is not None and self._clock.now() < self._state.clock:
            self._clock.set(self._state.clock)
        self._writer = GroupCommitWriter(self._write_batch)

    # --- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Record the commands already queued, then release the database. Idempotent."""
        self._writer.close()
        self._db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def clock(self) -> WeekClock:
        """The clearinghouse clock (stamp commands with ``store.clock.now()``)."""
        return self._clock

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._db.url.render_as_string(hide_password=True)

    @property
    def database(self) -> Database:
        """The store's database, for records kept beside the event log (the planner's)."""
        return self._db

    # --- operator: set-up ---------------------------------------------------------------------

    def load_market(self, market: Market, *, actor: str) -> None:
        """Keep ``market`` as the one the Main Match and SOAP run on, replacing any earlier market
        (and the Main Match result with it). Refused with StoreError once SOAP has started."""
        check_actor(actor)
        with self._setup_lock:
            self._refuse_after_start("load a market")
            body = market_to_json(market)
            with self._db.writing() as conn:
                conn.execute(delete(schema.setup_documents))
                conn.execute(insert(schema.setup_documents), [_document(_MARKET, MARKET_FORMAT, body, actor)])
            self._market, self._match_result = market, None
            self._stats = None

    def run_main_match(self, *, actor: str) -> MatchResult:
        """Run the Main Match on the loaded market and keep its result (replacing an earlier one).
        StoreError without a market or once SOAP has started."""
        check_actor(actor)
        with self._setup_lock:
            self._refuse_after_start("run the Main Match")
            if self._market is None:
                raise StoreError("no market loaded: load a market before running the Main Match")
            result = run_match(self._market)
            body = result_to_json(result)
            with self._db.writing() as conn:
                conn.execute(
                    delete(schema.setup_documents).where(schema.setup_documents.c.name == _MATCH_RESULT)
                )
                conn.execute(
                    insert(schema.setup_documents), [_document(_MATCH_RESULT, RESULT_FORMAT, body, actor)]
                )
            self._match_result = result
            self._stats = None
            return result

    def market(self) -> Market | None:
        """The loaded market, if any."""
        return self._market

    def match_result(self) -> MatchResult | None:
        """The Main Match result, if the match has run on the loaded market."""
        return self._match_result

    def start_soap(self, policy: Policy, *, actor: str) -> list[StoredEvent]:
        """Open SOAP on the Main Match result under ``policy`` (``soap.soap_universe``), as one command.
        StoreError without a market and result or once SOAP has started."""
        with self._setup_lock:
            self._refuse_after_start("start SOAP")
            if self._market is None or self._match_result is None:
                raise StoreError(
                    "SOAP starts after the Main Match: load a market and run the Main Match first"
                )
            command = soap_universe(self._market, self._match_result, policy)
            return self.execute(command, actor=actor)

    # --- commands -----------------------------------------------------------------------------

    def execute(self, command: Command, *, actor: str) -> list[StoredEvent]:
        """Check ``command`` with the SOAP engine and record its events; return them as stored.

        A refused command raises :class:`~matchweek.soap.RuleViolation` and stores
        nothing. Otherwise its events are appended to the log and the read models
        updated in one transaction, and the live state follows; when this returns,
        the command is committed. Concurrent calls are checked one after another
        in the order they arrive (so of two acceptances by one applicant exactly
        one wins) and share commits under load. StoreError if the command could
        not be recorded (the database is unreachable, say): then nothing of it
        is kept.
        """
        result: list[StoredEvent] = self._submit(_checked(command, actor), actor).result()
        return result

    async def execute_async(self, command: Command, *, actor: str) -> list[StoredEvent]:
        """:meth:`execute` for a coroutine: the same checks, order and outcome, but the event loop goes on
        serving while the command waits for its commit (no thread is held for it)."""
        result: list[StoredEvent] = await asyncio.wrap_future(self._submit(_checked(command, actor), actor))
        return result

    def refresh(self) -> int:
        """Bring the live state up to date with events other processes appended; how many there were."""
        before = self._last_seq
        self._submit(None, "system").result()
        return self._last_seq - before

    def _submit(self, command: Command | None, actor: str) -> Future[Any]:
        if getattr(self._reader, "depth", 0):
            raise StoreError(
                "a command cannot run inside store.reading(): it would wait for the block to end"
            )
        return self._writer.submit(command, actor)

    def state(self) -> SoapState:
        """The live SOAP state, for reading only (see :meth:`reading` for a view that holds still)."""
        return self._state

    @contextmanager
    def reading(self) -> Iterator[SoapState]:
        """The live state, held still while the block runs (commands wait until it ends); keep it short,
        and only read inside it (a command run inside it is refused)."""
        with self._state_lock:
            self._reader.depth = getattr(self._reader, "depth", 0) + 1
            try:
                yield self._state
            finally:
                self._reader.depth -= 1

    def events(self, *, since: int = 0, limit: int | None = None) -> list[StoredEvent]:
        """The audit log: events with seq above ``since``, in order, at most ``limit`` of them."""
        if since < 0 or (limit is not None and limit < 0):
            raise StoreError("since and limit must not be negative")
        with self._db.reading() as conn:
            return read_events(conn, since=since, limit=limit)

    def last_seq(self) -> int:
        """The seq of the last event committed by this store (or caught up from the log)."""
        return self._last_seq

    # --- the schedule -------------------------------------------------------------------------

    def schedule(self) -> tuple[ScheduleStep, ...]:
        """The week's steps in time order and which have happened (empty before SOAP starts)."""
        with self._state_lock:
            if self._state.policy is None:
                return ()
            return schedule(self._state.policy, self._state, self._clock.now())

    def step_due(self) -> bool:
        """Whether a step of the schedule is due and has not happened (what :meth:`tick` would fire);
        answered from memory, so cheap enough to ask before every request."""
        return due_command(self._state, self._clock.now()) is not None

    def tick(self, *, actor: str = "clock") -> list[StoredEvent]:
        """Fire every schedule step due at ``clock.now()`` that has not happened, in order, each as a
        command through :meth:`execute`: status release, list release, each round's opening and
        closing (``policy.round_times()``), SOAP's end. Returns their events; calling it again
        fires nothing new (idempotent, also when called from many threads at once)."""
        if not self.step_due():
            return []
        now = self._clock.now()
        fired: list[StoredEvent] = []
        with self._tick_lock:
            while (command := due_command(self._state, now)) is not None:
                try:
                    fired.extend(self.execute(command, actor=actor))
                except RuleViolation as refusal:
                    after = due_command(self._state, now)
                    if after is not None and _same_step(after, command):
                        raise StoreError(f"the schedule cannot go on at {now}: {refusal}") from None
                    # Another caller did this step meanwhile: go on with the next.
        return fired

    # --- read models --------------------------------------------------------------------------

    def applications_of(self, applicant: str) -> list[ApplicationView]:
        """The applicant's applications in the order sent, with the documents chosen for each."""
        t = schema.applications
        with self._db.reading() as conn:
            rows = conn.execute(select(t).where(t.c.applicant == applicant).order_by(t.c.seq)).all()
        return [_application_view(row) for row in rows]

    def applicants_to(self, program: str) -> list[str]:
        """Who applied to ``program``, in order of arrival (nobody for an unknown code)."""
        with self._state_lock:
            return list(applicants_of(self._state, program))

    def preference_list(self, program: str) -> tuple[str, ...] | None:
        """The program's last certified preference list; None if it has certified none."""
        t = schema.preference_lists
        with self._db.reading() as conn:
            row = conn.execute(select(t.c.applicants).where(t.c.program == program)).first()
        return tuple(row.applicants) if row is not None else None

    def round_stats(self) -> WeekStats:
        """The week's figures so far (``matchweek.week.stats.week_stats`` over the log).
        StoreError before SOAP starts or without the market and Main Match result."""
        from matchweek.week.stats import week_stats  # the week package is heavy; load it when first asked

        with self._state_lock:
            seq, cached = self._last_seq, self._stats
            # The log is copied (about 600,000 events at national scale) only when the figures are stale.
            events = list(self._log) if cached is None or cached[0] != seq else None
        if cached is not None and events is None:
            return cached[1]
        if self._market is None or self._match_result is None or not events:
            raise StoreError("no figures yet: SOAP has not started on a stored market and Main Match result")
        stats = week_stats(self._market, self._match_result, events)
        self._stats = (seq, stats)
        return stats

    def verify_read_models(self) -> list[str]:
        """Lines naming read model rows that disagree with the event log (empty when they agree)."""
        with self._db.reading() as conn:
            stored = read_events(conn)
            tables = stored_tables(conn)
            head = conn.execute(select(schema.log_head.c.last_seq)).scalar_one()
        found = differences(project((s.seq, s.event) for s in stored).tables(), tables)
        last = stored[-1].seq if stored else 0
        if head != last:
            found.insert(0, f"the read models are projected to seq {head}, the log ends at {last}")
        return found

    # --- accounts -----------------------------------------------------------------------------

    def create_account(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        programs: Sequence[str] = (),
        applicant: str | None = None,
        display_name: str | None = None,
    ) -> Account:
        """Create a portal account; the password is kept only as an Argon2 hash.

        StoreError for a username taken or malformed, a password shorter than 8
        characters, or a role without what it needs (a program account manages at
        least one program; an applicant account names its applicant).
        """
        account = checked_account(username, role, programs, applicant, display_name)
        if self.account(account.username) is not None:
            raise StoreError(f"username {account.username!r} is taken")
        password_hash = hash_password(account.username, password)
        try:
            with self._db.writing() as conn:
                conn.execute(insert(schema.accounts), [_account_values(account, password_hash)])
        except IntegrityError:
            raise StoreError(f"username {account.username!r} is taken") from None
        self._accounts[account.username] = account
        return account

    def import_accounts(self, records: Iterable[ImportedAccount]) -> list[Account]:
        """Create many accounts at once, their passwords already hashed with Argon2 elsewhere (accounts
        moving from a registration system), in one transaction; returns them in the order given.

        Each record is checked as :meth:`create_account` checks its values, and its
        ``password_hash`` must be an Argon2 hash (PHC string) that costs at most a few times
        today's parameters to verify (``accounts.checked_hash``); a weaker hash is renewed at
        the account's first sign-in. A username may be named once and must not be taken.
        The first bad record is a StoreError naming its place and username, and nothing is
        stored.
        """
        checked, places = _checked_imports(records)
        if not checked:
            return []
        try:
            with self._db.writing() as conn:
                taken = _taken_usernames(conn, list(places))
                if taken:
                    name = min(taken, key=places.__getitem__)
                    raise StoreError(f"imported account {places[name]}: username {name!r} is taken")
                conn.execute(insert(schema.accounts), [_account_values(a, h) for a, h in checked])
        except IntegrityError:
            raise StoreError(
                "imported accounts: a username was taken by another sign-up meanwhile; nothing was imported"
            ) from None
        accounts = [account for account, _ in checked]
        self._accounts.update((account.username, account) for account in accounts)
        return accounts

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account if ``password`` is its password, else None (as slow for an unknown username)."""
        row = self._account_row(username) if isinstance(username, str) else None
        stored_hash = row.password_hash if row is not None else None
        if not password_matches(stored_hash, password):
            return None
        renewed = renewed_hash(row.password_hash, password)
        if renewed is not None:
            with self._db.writing() as conn:
                conn.execute(
                    update(schema.accounts)
                    .where(schema.accounts.c.username == row.username)
                    .values(password_hash=renewed)
                )
        account = _account(row)
        self._accounts[account.username] = account
        return account

    def account(self, username: str) -> Account | None:
        """The account with this username, if any."""
        cached = self.cached_account(username)
        if cached is not None:
            return cached
        row = self._account_row(username)
        if row is None:
            return None
        account = _account(row)
        self._accounts[username] = account
        return account

    def cached_account(self, username: str) -> Account | None:
        """The account with this username if this store has already read or made it; never reads the
        database (None: unknown here, ask :meth:`account`)."""
        return self._accounts.get(username)

    def accounts(self) -> list[Account]:
        """Every account, by username."""
        with self._db.reading() as conn:
            rows = conn.execute(select(schema.accounts).order_by(schema.accounts.c.username)).all()
        return [_account(row) for row in rows]

    def revoke_session(self, sid: str, issued: float, *, forget_before: float) -> None:
        """Record that the portal session ``sid`` (issued at ``issued``, seconds since the epoch) was
        ended, and forget revocations of sessions issued before ``forget_before``: those have
        expired anyway."""
        try:
            with self._db.writing() as conn:
                table = schema.revoked_sessions
                conn.execute(delete(table).where(table.c.issued < forget_before))
                if conn.execute(select(table.c.sid).where(table.c.sid == sid)).first() is None:
                    conn.execute(insert(table).values(sid=sid, issued=issued, revoked_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # revoked at the same moment by another request: recorded once, which is all it needs

    def revoked_sessions(self, issued_since: float) -> dict[str, float]:
        """The revoked portal sessions issued at or after ``issued_since``: session id to issue time."""
        with self._db.reading() as conn:
            rows = conn.execute(
                select(schema.revoked_sessions.c.sid, schema.revoked_sessions.c.issued).where(
                    schema.revoked_sessions.c.issued >= issued_since
                )
            ).all()
        return {sid: issued for sid, issued in rows}

    def account_count(self) -> int:
        """How many accounts there are."""
        with self._db.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.accounts)).scalar_one())

    def _account_row(self, username: str) -> Any:
        with self._db.reading() as conn:
            return conn.execute(select(schema.accounts).where(schema.accounts.c.username == username)).first()

    # --- the writer ---------------------------------------------------------------------------

    def _write_batch(self, batch: list[Request]) -> None:
        """Record a batch in one transaction; if that fails, reload from the log and try each alone once."""
        try:
            outcomes = self._commit(batch)
        except Exception as failure:
            log.warning(
                "recording %d command(s) failed (%s); reloading from the event log", len(batch), failure
            )
            for request in batch:
                try:
                    # The state is rebuilt from the log first (it may hold the failed batch's events).
                    (outcome,) = self._commit([request])
                except Exception as again:
                    outcome = StoreError(
                        f"{_describe(request.command)} could not be recorded: {_one_line(again)}"
                    )
                    self._recover_if_possible()
                _settle(request, outcome)
            return
        for request, outcome in zip(batch, outcomes, strict=True):
            _settle(request, outcome)

    def _commit(self, batch: list[Request]) -> list[Any]:
        """Check each command against the state in order and write all their events in one transaction.

        Returns each request's outcome: its stored events or the refusal. The
        state takes the events as they are checked (the next command must see
        them); if the transaction then fails the caller rebuilds it from the log.
        """
        if self._stale:
            self._recover()
        with self._db.writing() as conn:
            # Locks out writers in other processes until this commit; every commit moves the head.
            head = conn.execute(_LOCK_HEAD).scalar_one()
            if head != self._last_seq:
                self._catch_up(conn, head)
            recorded_at = datetime.now(UTC)
            outcomes: list[Any] = []
            written: list[StoredEvent] = []
            seq = self._last_seq
            with self._state_lock:
                self._stale = True  # until committed, the state may hold events the log does not
                for request in batch:
                    if request.command is None:
                        outcomes.append([])
                        continue
                    try:
                        events = handle(self._state, request.command)
                    except RuleViolation as refusal:
                        outcomes.append(refusal)
                        continue
                    except Exception as malformed:  # handle() is pure: a bad command harms no one else
                        outcomes.append(malformed)
                        continue
                    stored = []
                    for event in events:
                        apply(self._state, event)
                        seq += 1
                        stored.append(StoredEvent(seq, event, request.actor, recorded_at))
                    outcomes.append(stored)
                    written.extend(stored)
            if written:
                conn.execute(insert(schema.soap_events), [event_row(s) for s in written])
                write_changes(conn, changes((s.seq, s.event) for s in written))
                conn.execute(update(schema.log_head).where(schema.log_head.c.id == 1).values(last_seq=seq))
        with self._state_lock:
            self._log.extend(s.event for s in written)
            self._last_seq = seq
            self._stale = False
        return outcomes

    def _catch_up(self, conn: Connection, head: int) -> None:
        """Fold into the state the events another process appended since this one last wrote."""
        newer = read_events(conn, since=self._last_seq)
        check_gap_free((s.seq for s in newer), after=self._last_seq)
        if not newer or newer[-1].seq != head:
            raise StoreError(f"the event log changed while it was read (expected it to end at seq {head})")
        with self._state_lock:
            self._stale = True
            for stored in newer:
                apply(self._state, stored.event)
                self._log.append(stored.event)
            self._last_seq = head
            self._stale = False

    def _recover_if_possible(self) -> None:
        """Rebuild the state now if it may hold events that were not committed; if the database cannot
        be read, the next command tries again first."""
        if not self._stale:
            return
        try:
            self._recover()
        except Exception as e:
            log.warning("the event log cannot be read (%s); the state is rebuilt before the next command", e)

    def _recover(self) -> None:
        """Rebuild the state from the log (after a failed commit); stays stale if the database is gone."""
        with self._state_lock:
            self._stale = True
            self._open_log()
            self._stale = False

    # --- opening ------------------------------------------------------------------------------

    def _open_log(self) -> None:
        """Replay the log into the state and check the read models against it, rebuilding them if needed.

        The check compares the log head and the tables' counts and totals with what
        the log implies (cheap at any size); a full row-by-row comparison is
        :meth:`verify_read_models`.
        """
        with self._db.reading() as conn:
            _snapshot(conn, self._db.is_sqlite)
            numbered = read_log(conn)
            head = conn.execute(select(schema.log_head.c.last_seq)).scalar_one()
            summary = table_summary(conn)
        check_gap_free(seq for seq, _ in numbered)
        events = [event for _, event in numbered]
        state = replay(events)
        last = numbered[-1][0] if numbered else 0
        expected = state_summary(state, events)
        if head != last or summary != expected:
            if head != last:
                reason = f"projected to seq {head}, the log ends at {last}"
            else:
                reason = ", ".join(
                    f"{k} {summary[k]} not {v}" for k, v in expected.items() if summary.get(k) != v
                )
            log.warning("read models disagree with the event log (%s); rebuilding them from the log", reason)
            with self._db.writing() as conn:
                conn.execute(_LOCK_HEAD).scalar_one()
                numbered = read_log(conn)
                check_gap_free(seq for seq, _ in numbered)
                last = numbered[-1][0] if numbered else 0
                rebuild(conn, project(numbered))
                conn.execute(update(schema.log_head).where(schema.log_head.c.id == 1).values(last_seq=last))
            events = [event for _, event in numbered]
            state = replay(events)
        with self._state_lock:
            # Keep the state object: readers may hold it.
            for f in dataclasses.fields(SoapState):
                setattr(self._state, f.name, getattr(state, f.name))
            self._log = events
            self._last_seq = last
            self._stats = None

    def _load_setup(self) -> tuple[Market | None, MatchResult | None]:
        with self._db.reading() as conn:
            rows = {row.name: row for row in conn.execute(select(schema.setup_documents))}
        market = market_from_json(rows[_MARKET].body, source="stored market") if _MARKET in rows else None
        result = (
            result_from_json(rows[_MATCH_RESULT].body, source="stored Main Match result")
            if _MATCH_RESULT in rows
            else None
        )
        return market, result

    def _refuse_after_start(self, what: str) -> None:
        self.refresh()  # another process may have started SOAP
        if self._state.started:
            raise StoreError(f"cannot {what}: SOAP has already started")


# --- helpers -------------------------------------------------------------------------------------


def _checked(command: Command, actor: str) -> Command:
    """``command`` if it is a SOAP command attributed to a plausible actor; TypeError or StoreError if not."""
    if not isinstance(command, _COMMAND_TYPES):
        raise TypeError(f"not a SOAP command: {command!r}")
    check_actor(actor)
    return command


def _settle(request: Request, outcome: Any) -> None:
    if isinstance(outcome, BaseException):
        request.future.set_exception(outcome)
    else:
        request.future.set_result(outcome)


def _same_step(a: Command, b: Command) -> bool:
    return type(a) is type(b) and getattr(a, "round", None) == getattr(b, "round", None)


def _describe(command: Any) -> str:
    return "catching up with the log" if command is None else type(command).__name__


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _snapshot(conn: Connection, is_sqlite: bool) -> None:
    """Make the rest of this read transaction see one moment of the database (PostgreSQL's default
    isolation takes a new snapshot per statement; an SQLite read transaction already holds one)."""
    if not is_sqlite:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _document(name: str, format: str, body: bytes, actor: str) -> dict[str, Any]:
    return {"name": name, "format": format, "body": body, "actor": actor, "stored_at": datetime.now(UTC)}


def _application_view(row: Any) -> ApplicationView:
    return ApplicationView(
        applicant=row.applicant,
        program=row.program,
        personal_statement=row.personal_statement,
        letters=tuple(row.letters),
        submitted_at=WeekTime(row.submitted_at),
    )


def _checked_imports(records: Iterable[ImportedAccount]) -> tuple[list[tuple[Account, str]], dict[str, int]]:
    """Each record as an account and its hash, checked, and each username's place (from 1); StoreError
    naming the first bad record's place."""
    checked: list[tuple[Account, str]] = []
    places: dict[str, int] = {}
    for place, record in enumerate(records, start=1):
        if not isinstance(record, ImportedAccount):
            raise StoreError(f"imported account {place}: not an ImportedAccount but {record!r:.80}")
        try:
            account = checked_account(
                record.username, record.role, record.programs, record.applicant, record.display_name
            )
            password_hash = checked_hash(account.username, record.password_hash)
        except StoreError as e:
            raise StoreError(f"imported account {place}: {e}") from None
        first = places.setdefault(account.username, place)
        if first != place:
            raise StoreError(
                f"imported account {place}: username {account.username!r} is named twice "
                f"(also account {first})"
            )
        checked.append((account, password_hash))
    return checked, places


def _account_values(account: Account, password_hash: str) -> dict[str, Any]:
    """The ``accounts`` row of an account with its password hash."""
    return {
        "username": account.username,
        "password_hash": password_hash,
        "role": account.role.value,
        "programs": list(account.programs),
        "applicant": account.applicant,
        "display_name": account.display_name,
        "created_at": datetime.now(UTC),
    }


def _taken_usernames(conn: Connection, usernames: list[str]) -> set[str]:
    """Which of ``usernames`` have an account already (asked in slices: SQLite bounds a query's values)."""
    column = schema.accounts.c.username
    taken: set[str] = set()
    for k in range(0, len(usernames), _USERNAMES_PER_QUERY):
        chunk = usernames[k : k + _USERNAMES_PER_QUERY]
        taken.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
    return taken


def _account(row: Any) -> Account:
    return Account(
        username=row.username,
        role=Role(row.role),
        programs=tuple(row.programs),
        applicant=row.applicant,
        display_name=row.display_name,
    )
