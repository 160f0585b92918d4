"""outbox trace: the request id and received time of the command that queued a message

outbox.request_id carries the inbound request's id to the delivery's log
lines; outbox.received_at (wall clock, UTC) is when that request came in, so
the time from a command to its delivery can be measured. Both are NULL for
messages that scheduled jobs queue, and for rows queued before this revision.
Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('received_at')
        batch_op.drop_column('request_id')
