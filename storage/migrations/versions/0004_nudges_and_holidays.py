"""nudges and holidays

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:54:57.989016

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
# Autogenerate renders SQLModel's string columns as
# sqlmodel.sql.sqltypes.AutoString: the import keeps such revisions loadable.
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recipient_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('snoozes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudge')),
    sa.UniqueConstraint('subject_kind', 'subject_id', 'kind', 'window_key', 'recipient_kind', 'recipient_id', name='uq_nudge_once')
    )
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.create_index('ix_nudge_recipient_queued', ['recipient_kind', 'recipient_id', 'queued_at'], unique=False)
        batch_op.create_index('ix_nudge_recipient_state_send_at', ['recipient_kind', 'recipient_id', 'state', 'send_at'], unique=False)
        batch_op.create_index('ix_nudge_state_send_at', ['state', 'send_at'], unique=False)
        batch_op.create_index('ix_nudge_subject', ['subject_kind', 'subject_id'], unique=False)

    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_warn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_warn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True))
        batch_op.add_column(sa.Column('subdivision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('extra_holidays', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('digest_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_team_digest_due_at'), ['digest_due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_digest_due_at'))
        batch_op.drop_column('digest_due_at')
        batch_op.drop_column('extra_holidays')
        batch_op.drop_column('subdivision')
        batch_op.drop_column('country')

    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('resolution_warn_at')
        batch_op.drop_column('first_response_warn_at')

    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.drop_index('ix_nudge_subject')
        batch_op.drop_index('ix_nudge_state_send_at')
        batch_op.drop_index('ix_nudge_recipient_state_send_at')
        batch_op.drop_index('ix_nudge_recipient_queued')

    op.drop_table('nudge')
