"""pulse tally: a closed round's answers counted once, when it closes

pulse_tally holds the counts per (round, question, team, score), with
sentinels for "no team" (0) and "no score" (-1) so the primary key holds on
both databases; pulse_round.respondents the receipts that answered. Rounds
closed before this revision keep respondents NULL and are read straight from
pulse_answer (bot.pulses.tally), so nothing is backfilled here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:23:24.888582

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
# Autogenerate renders SQLModel's string columns as
# sqlmodel.sql.sqltypes.AutoString: the import keeps such revisions loadable.
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('pulse_tally',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['pulse_round.id'], name=op.f('fk_pulse_tally_round_id_pulse_round')),
    sa.PrimaryKeyConstraint('round_id', 'question', 'team_id', 'score', name=op.f('pk_pulse_tally')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pulse_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondents', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pulse_round', schema=None) as batch_op:
        batch_op.drop_column('respondents')

    op.drop_table('pulse_tally')
