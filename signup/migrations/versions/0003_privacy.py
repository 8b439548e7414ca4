"""privacy: organisations' privacy settings, retention overrides, anonymous counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:36:56.216132

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: Written out here, not imported: a migration must not change when the model's default does.
NRW_AUTHORITY = (
    "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
    "Kavalleriestraße 2–4, 40213 Düsseldorf"
)


def upgrade():
    op.create_table(
        "report_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "waiting",
                "cancelled",
                name="participantstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("age", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "online",
                "assisted",
                "paper",
                "group",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("attended_days", sa.Integer(), nullable=False),
        sa.Column("first_time", sa.Boolean(), nullable=True),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_report_counts_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_counts")),
    )
    with op.batch_alter_table("report_counts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_counts_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "counted_registrations",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_counted_registrations_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_counted_registrations")),
    )
    op.create_table(
        "returning_participants",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_returning_participants_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_returning_participants")),
    )
    # Existing organisations get the defaults: empty contact details (the notice then shows
    # the name only until an organiser fills them in), the NRW authority, 90 and 30 days.
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("postal_address", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("privacy_email", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("dpo_contact", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "supervisory_authority", sa.Text(), nullable=False, server_default=NRW_AUTHORITY
            )
        )
        batch_op.add_column(
            sa.Column("retention_days", sa.Integer(), nullable=False, server_default="90")
        )
        batch_op.add_column(
            sa.Column("health_retention_days", sa.Integer(), nullable=False, server_default="30")
        )
        batch_op.add_column(sa.Column("sheet_retention_years", sa.Integer(), nullable=True))

    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("health_retention_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("health_retention_days")
        batch_op.drop_column("retention_days")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("sheet_retention_years")
        batch_op.drop_column("health_retention_days")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("supervisory_authority")
        batch_op.drop_column("dpo_contact")
        batch_op.drop_column("privacy_email")
        batch_op.drop_column("postal_address")

    op.drop_table("returning_participants")
    op.drop_table("counted_registrations")
    with op.batch_alter_table("report_counts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_counts_workshop_id"))

    op.drop_table("report_counts")
