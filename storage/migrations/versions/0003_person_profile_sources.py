"""person profile completeness and field sources

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        # Existing people were stored from whatever profile came: take them as complete.
        batch_op.add_column(sa.Column('profile_complete', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        # No source known for existing values: any platform may refresh them until
        # the org file is imported again and claims its people's fields.
        batch_op.add_column(sa.Column('field_sources', sa.JSON(), nullable=False,
                                      server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('field_sources')
        batch_op.drop_column('profile_complete')
