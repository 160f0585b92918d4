"""competitors: the organisation file's list of competitor names

A mention of one in something said about a customer is a churn-risk signal.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
# Autogenerate renders SQLModel's string columns as
# sqlmodel.sql.sqltypes.AutoString: the import keeps such revisions loadable.
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('competitor',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_competitor'))
    )


def downgrade() -> None:
    op.drop_table('competitor')
