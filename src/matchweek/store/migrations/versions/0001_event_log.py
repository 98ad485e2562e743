"""The SOAP event log, its read models, the market and Main Match result, and accounts.

Revision ID: 0001
Revises:
Create Date: 2025-03-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "soap_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    log_head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(log_head, [{"id": 1, "last_seq": 0}])
    op.create_table(
        "applications",
        sa.Column("applicant", sa.String(64), primary_key=True),
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("personal_statement", sa.String(200), nullable=True),
        sa.Column("letters", sa.JSON, nullable=False),
        sa.Column("submitted_at", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_applications_program", "applications", ["program"])
    op.create_table(
        "offers",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("applicant", sa.String(64), primary_key=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("automatic", sa.Boolean, nullable=False),
        sa.Column("extended_seq", sa.BigInteger, nullable=False),
        sa.Column("resolved_seq", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_offers_applicant", "offers", ["applicant"])
    op.create_table(
        "preference_lists",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("applicants", sa.JSON, nullable=False),
        sa.Column("certified_at", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "program_standing",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("track", sa.String(16), nullable=False),
        sa.Column("specialty", sa.String(200), nullable=True),
        sa.Column("state", sa.String(8), nullable=True),
        sa.Column("positions", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("outstanding", sa.Integer, nullable=False),
    )
    op.create_table(
        "setup_documents",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("programs", sa.JSON, nullable=False),
        sa.Column("applicant", sa.String(64), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "accounts",
        "setup_documents",
        "program_standing",
        "preference_lists",
        "offers",
        "applications",
        "log_head",
        "soap_events",
    ):
        op.drop_table(table)
