"""The store's tables, as SQLAlchemy Core: the event log, its read models, the set-up, accounts and
the applicant planner's profiles and trackers.

The Alembic migrations in ``migrations/versions`` create exactly these; a test
checks that the two agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

soap_events = Table(
    "soap_events",
    metadata,
    # Assigned by the store as the previous seq + 1; the primary key keeps it unique across processes.
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
"""The SOAP event log, the record of truth: ``payload`` is ``soap.event_to_dict(event)``."""

log_head = Table(
    "log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", BigInteger, nullable=False),
)
"""One row (id 1): the seq the read models are projected to. Written in every command's transaction,
and locked by it, so it also serialises writers across processes."""

applications = Table(
    "applications",
    metadata,
    Column("applicant", String(64), primary_key=True),
    Column("program", String(64), primary_key=True),
    Column("personal_statement", String(200), nullable=True),
    Column("letters", JSON, nullable=False),
    Column("submitted_at", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index("ix_applications_program", "program"),
)
"""Read model: every application with the documents chosen for it; ``submitted_at`` in week minutes."""

offers = Table(
    "offers",
    metadata,
    Column("program", String(64), primary_key=True),
    Column("applicant", String(64), primary_key=True),
    Column("round", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("extended_seq", BigInteger, nullable=False),
    Column("resolved_seq", BigInteger, nullable=True),
    Index("ix_offers_applicant", "applicant"),
)
"""Read model: every offer and where it stands (open, accepted, rejected, expired)."""

preference_lists = Table(
    "preference_lists",
    metadata,
    Column("program", String(64), primary_key=True),
    Column("applicants", JSON, nullable=False),
    Column("certified_at", Integer, nullable=False),
    Column("seq", BigInteger, nullable=False),
)
"""Read model: each program's last certified preference list."""

program_standing = Table(
    "program_standing",
    metadata,
    Column("program", String(64), primary_key=True),
    Column("track", String(16), nullable=False),
    Column("specialty", String(200), nullable=True),
    Column("state", String(8), nullable=True),
    Column("positions", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("outstanding", Integer, nullable=False),
)
"""Read model: each SOAP program's positions, acceptances and outstanding offers."""

setup_documents = Table(
    "setup_documents",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("format", String(64), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
"""The market and the Main Match result, each as its canonical JSON (``matchweek.formats``)."""

accounts = Table(
    "accounts",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("programs", JSON, nullable=False),
    Column("applicant", String(64), nullable=True),
    Column("display_name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""Portal accounts; passwords only as Argon2 hashes."""

revoked_sessions = Table(
    "revoked_sessions",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("issued", Float, nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
)
"""Portal sessions ended by signing out before they expired (``issued``: seconds since the epoch),
kept so that a restarted server still refuses their cookies and tokens."""

planner_profiles = Table(
    "planner_profiles",
    metadata,
    Column("applicant", String(64), primary_key=True),
    Column("document", JSON, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""Each applicant's planning profile, as its ``matchweek.profile/1`` document (``matchweek.plan``)."""

planner_tracker = Table(
    "planner_tracker",
    metadata,
    Column("applicant", String(64), primary_key=True),
    Column("program", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=True),
    Column("specialty", Text, nullable=True),
    Column("track", String(16), nullable=True),
    Column("location", Text, nullable=True),
    Column("j1", Boolean, nullable=False),
    Column("h1b", Boolean, nullable=False),
    Column("img_share", Float, nullable=True),
    Column("img_friendly", String(8), nullable=True),
    Column("interest", Integer, nullable=True),
    Column("odds", Float, nullable=True),
    Column("utility", Float, nullable=True),
    Column("interview_time", Text, nullable=True),
    Column("interview_contact", Text, nullable=True),
    Column("notes", Text, nullable=True),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""Each applicant's program tracker: one row per program, in the applicant's order (``position``);
the columns are the tracker's (``matchweek.plan.tracker``) but ``applied``, which the applications show."""

READ_MODELS = (applications, offers, preference_lists, program_standing)
