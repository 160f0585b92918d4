"""sla pause in seconds: request.sla_paused_remaining counts seconds, not minutes

A paused resolution clock kept whole minutes, rounded down, so every pause
pulled the deadline earlier (13:13 became 13:12 after a 15-second pause).
The column stays; what it holds is multiplied by 60 (and divided back on
downgrade, rounding toward zero as the old code did).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE request SET sla_paused_remaining = sla_paused_remaining * 60 "
               "WHERE sla_paused_remaining IS NOT NULL")


def downgrade() -> None:
    # CAST keeps integer division on both databases; -90 s becomes -1 min, as before.
    op.execute("UPDATE request SET sla_paused_remaining = CAST(sla_paused_remaining / 60 AS INTEGER) "
               "WHERE sla_paused_remaining IS NOT NULL")
