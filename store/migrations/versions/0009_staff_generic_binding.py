"""Staff accounts and messages follow the flow's role bindings, not the first flow's names.

A staff account keeps only `bound`, the key of the row its role binds to (revision 0007
filled it from the first flow's `agency`/`point` columns, which go now; an account whose
`bound` is still empty takes them first). A message's scope is 'applicant' or the name
of the kept answer a role binds through (any flow's), so the check that allowed only the
first flow's two names becomes "not empty".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The first flow's names, frozen here as in revisions 0001 and 0007.
_OLD_SCOPES = ("applicant", "point", "agency")


def upgrade() -> None:
    op.execute("UPDATE staff SET bound = COALESCE(point, agency) WHERE bound IS NULL")
    op.drop_index("ix_staff_agency", "staff")
    op.drop_index("ix_staff_point", "staff")
    op.drop_column("staff", "agency")   # SQLite ≥ 3.35 drops a column in place (other tables name staff.id)
    op.drop_column("staff", "point")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("ck_messages_scope", type_="check")
        batch.create_check_constraint("ck_messages_scope", "scope <> ''")


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("ck_messages_scope", type_="check")
        batch.create_check_constraint("ck_messages_scope", sa.column("scope").in_(_OLD_SCOPES))
    op.add_column("staff", sa.Column("agency", sa.Text))
    op.add_column("staff", sa.Column("point", sa.Text))
    op.create_index("ix_staff_agency", "staff", ["agency"])
    op.create_index("ix_staff_point", "staff", ["point"])
