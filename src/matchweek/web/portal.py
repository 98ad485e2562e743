"""The running portal's parts, shared by every request: the store, sessions, throttling, settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from matchweek.model import WeekTime
from matchweek.store import Store
from matchweek.web.catalogue import Catalogue, CatalogueCache, Holdings
from matchweek.web.sessions import SessionKeeper
from matchweek.web.settings import PortalSettings
from matchweek.web.throttle import LoginThrottle


@dataclass(slots=True)
class Portal:
    """What the app holds for its lifetime (``app.state.portal``)."""

    store: Store
    settings: PortalSettings
    keeper: SessionKeeper
    throttle: LoginThrottle
    catalogues: CatalogueCache = field(default_factory=CatalogueCache)

    def catalogue(self) -> Catalogue | None:
        """The loaded market, indexed (None before a market is loaded)."""
        return self.catalogues.get(self.store.market())

    def holdings(self) -> Holdings | None:
        """Positions held after the Main Match, by applicant (None before the match has run)."""
        return self.catalogues.holdings(self.store.match_result())

    def now(self) -> WeekTime:
        """The clearinghouse clock's Match Week time."""
        return self.store.clock.now()


def portal_of(connection: HTTPConnection) -> Portal:
    """The portal serving this request."""
    return connection.app.state.portal  # type: ignore[no-any-return]
