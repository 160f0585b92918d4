"""outbox: an index for keeping each conversation in order

A claim skips a row while an earlier row to the same recipient is still on
its way (waiting for a retry, or being sent): this index makes that a seek on
the recipient's undelivered rows, whatever the history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 08:30:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient_status_id', ['recipient_id', 'status', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient_status_id')
