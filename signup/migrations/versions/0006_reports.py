"""reports: school year and "gender asked" in the counts, attendance per date, the waiting
list's longest stand, instance administrators

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_counts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("school_year", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("gender_asked", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Counts written before: a gender was kept only where the workshop asked for it.
    op.execute("UPDATE report_counts SET gender_asked = (gender <> '')")

    op.create_table(
        "report_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_report_attendance_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attendance")),
        sa.UniqueConstraint(
            "workshop_id", "day", "starts_at", name=op.f("uq_report_attendance_workshop_id")
        ),
    )
    with op.batch_alter_table("report_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_attendance_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "report_waiting_peaks",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_report_waiting_peaks_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_report_waiting_peaks")),
    )

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("is_admin")
    op.drop_table("report_waiting_peaks")
    with op.batch_alter_table("report_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_attendance_workshop_id"))
    op.drop_table("report_attendance")
    with op.batch_alter_table("report_counts", schema=None) as batch_op:
        batch_op.drop_column("gender_asked")
        batch_op.drop_column("school_year")
