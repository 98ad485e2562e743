"""The clearinghouse portal: a web application for applicants, programs and the operator.

FastAPI serves server-rendered Jinja2 pages (with htmx, shipped in the package) and a JSON
API under ``/api`` described by its OpenAPI document at ``/api/openapi.json``; everything
it shows and changes goes through :class:`matchweek.store.Store`. :func:`create_app` builds
the application for a store; :func:`matchweek.web.serve.serve` runs it with uvicorn.
"""

from matchweek.web.app import create_app
from matchweek.web.settings import PortalSettings

__all__ = ["PortalSettings", "create_app"]
