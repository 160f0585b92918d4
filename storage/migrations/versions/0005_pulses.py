"""pulses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:25:25.209330

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
# Autogenerate renders SQLModel's string columns as
# sqlmodel.sql.sqltypes.AutoString: the import keeps such revisions loadable.
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('pulse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('subject_team_id', sa.Integer(), nullable=True),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('remind_after_days', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('min_answers', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('next_round_on', sa.Date(), nullable=True),
    sa.Column('next_open_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_pulse_created_by_id_person')),
    sa.ForeignKeyConstraint(['subject_team_id'], ['team.id'], name=op.f('fk_pulse_subject_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse'))
    )
    with op.batch_alter_table('pulse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_pulse_state_next_open_at', ['state', 'next_open_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_subject_team_id'), ['subject_team_id'], unique=False)

    op.create_table('pulse_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pulse_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('audience_size', sa.Integer(), nullable=False),
    sa.Column('team_answer', sa.Text(), nullable=True),
    sa.Column('team_answer_by_id', sa.Integer(), nullable=True),
    sa.Column('team_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['pulse_id'], ['pulse.id'], name=op.f('fk_pulse_round_pulse_id_pulse')),
    sa.ForeignKeyConstraint(['team_answer_by_id'], ['person.id'], name=op.f('fk_pulse_round_team_answer_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_round')),
    sa.UniqueConstraint('pulse_id', 'number', name=op.f('uq_pulse_round_pulse_id_number'))
    )
    with op.batch_alter_table('pulse_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_round_pulse_id'), ['pulse_id'], unique=False)
        batch_op.create_index('ix_pulse_round_state_closes_at', ['state', 'closes_at'], unique=False)

    op.create_table('pulse_answer',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('receipt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_round.id'], name=op.f('fk_pulse_answer_round_id_pulse_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_answer')),
    sa.UniqueConstraint('round_id', 'receipt_hash', 'question', name='uq_pulse_answer_receipt'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.create_index('ix_pulse_answer_round_question_score', ['round_id', 'question', 'score'], unique=False)

    op.create_table('pulse_ballot',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_round.id'], name=op.f('fk_pulse_ballot_round_id_pulse_round')),
    sa.PrimaryKeyConstraint('round_id', 'receipt_hash', name=op.f('pk_pulse_ballot')),
    sqlite_with_rowid=False
    )
    op.create_table('pulse_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('send_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('receipt_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pulse_participation_person_id_person')),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_round.id'], name=op.f('fk_pulse_participation_round_id_pulse_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_participation')),
    sa.UniqueConstraint('round_id', 'person_id', name=op.f('uq_pulse_participation_round_id_person_id'))
    )
    with op.batch_alter_table('pulse_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_participation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_participation_remind_at'), ['remind_at'], unique=False)
        batch_op.create_index('ix_pulse_participation_round_state', ['round_id', 'state'], unique=False)
        batch_op.create_index('ix_pulse_participation_state_send_at', ['state', 'send_at'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hr', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('hr')

    with op.batch_alter_table('pulse_participation', schema=None) as batch_op:
        batch_op.drop_index('ix_pulse_participation_state_send_at')
        batch_op.drop_index('ix_pulse_participation_round_state')
        batch_op.drop_index(batch_op.f('ix_pulse_participation_remind_at'))
        batch_op.drop_index(batch_op.f('ix_pulse_participation_person_id'))

    op.drop_table('pulse_participation')
    op.drop_table('pulse_ballot')
    with op.batch_alter_table('pulse_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_pulse_answer_round_question_score')

    op.drop_table('pulse_answer')
    with op.batch_alter_table('pulse_round', schema=None) as batch_op:
        batch_op.drop_index('ix_pulse_round_state_closes_at')
        batch_op.drop_index(batch_op.f('ix_pulse_round_pulse_id'))

    op.drop_table('pulse_round')
    with op.batch_alter_table('pulse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_subject_team_id'))
        batch_op.drop_index('ix_pulse_state_next_open_at')
        batch_op.drop_index(batch_op.f('ix_pulse_created_by_id'))

    op.drop_table('pulse')
