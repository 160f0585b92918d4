"""outbox: an index for finding a recipient's messages waiting for a retry

A claim skips a row while an earlier row to the same recipient waits for its
retry; with this index that is a seek on the recipient's rows due later,
instead of a walk over every queued row of the recipient for each candidate
(a claim grew with the square of the backlog).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:10:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient_status_next_attempt',
                              ['recipient_id', 'status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_status_next_attempt')
