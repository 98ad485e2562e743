"""The applicant planner's records: planning profiles and program trackers.

Revision ID: 0002
Revises: 0001
Create Date: 2025-03-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planner_profiles",
        sa.Column("applicant", sa.String(64), primary_key=True),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "planner_tracker",
        sa.Column("applicant", sa.String(64), primary_key=True),
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("specialty", sa.Text, nullable=True),
        sa.Column("track", sa.String(16), nullable=True),
        sa.Column("location", sa.Text, nullable=True),
        sa.Column("j1", sa.Boolean, nullable=False),
        sa.Column("h1b", sa.Boolean, nullable=False),
        sa.Column("img_share", sa.Float, nullable=True),
        sa.Column("img_friendly", sa.String(8), nullable=True),
        sa.Column("interest", sa.Integer, nullable=True),
        sa.Column("odds", sa.Float, nullable=True),
        sa.Column("utility", sa.Float, nullable=True),
        sa.Column("interview_time", sa.Text, nullable=True),
        sa.Column("interview_contact", sa.Text, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("planner_tracker")
    op.drop_table("planner_profiles")
