"""The clearinghouse's persistence and service layer: the SOAP event log as the record of truth.

:class:`Store` runs SOAP commands through the pure engine and records each one
in a single database transaction (its events appended to the log, the read
models updated), keeps the live state as the fold of the log, drives the week's
schedule from :class:`WeekClock` with :meth:`Store.tick`, and keeps the market,
the Main Match result and portal accounts. SQLite by default, PostgreSQL with
``MATCHWEEK_DATABASE_URL``; the same code on both.
"""

from matchweek.store.accounts import Account, Role
from matchweek.store.clock import WeekClock
from matchweek.store.database import DATABASE_URL_VARIABLE, DEFAULT_DATABASE_URL, database_url
from matchweek.store.errors import StoreError
from matchweek.store.eventlog import StoredEvent
from matchweek.store.schedule import ScheduleStep, StepKind
from matchweek.store.service import Store
from matchweek.store.views import ApplicationView

__all__ = [
    "DATABASE_URL_VARIABLE",
    "DEFAULT_DATABASE_URL",
    "Account",
    "ApplicationView",
    "Role",
    "ScheduleStep",
    "StepKind",
    "Store",
    "StoreError",
    "StoredEvent",
    "WeekClock",
    "database_url",
]
