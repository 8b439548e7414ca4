"""staff side: throttles, audit, notes, attendance, groups, optional fields

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:00:02.053987

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PURPOSES = "'participation', 'photo_internal', 'photo_website', 'photo_press', 'photo_social'"


def upgrade():
    # The consent channel gains "school" (group registrations); CHECK constraints are not
    # compared by autogenerate, so this one is replaced by hand.
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_consentchannel"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentchannel"), "channel IN ('online', 'paper', 'verbal', 'school')"
        )
        # Health notes are stored only with their own consent.
        batch_op.drop_constraint(op.f("ck_consents_consentpurpose"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentpurpose"), f"purpose IN ({PURPOSES}, 'health')"
        )
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_audit_entries_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_entries_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entries_organisation_id"), ["organisation_id", "at"], unique=False
        )

    op.create_table(
        "registration_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_users.id"],
            name=op.f("fk_registration_notes_author_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_notes_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_notes")),
    )
    with op.batch_alter_table("registration_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_notes_registration_id"), ["registration_id"], unique=False
        )

    op.create_table(
        "attendances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("workshop_date_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["staff_users.id"],
            name=op.f("fk_attendances_marked_by_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_attendances_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_date_id"],
            ["workshop_dates.id"],
            name=op.f("fk_attendances_workshop_date_id_workshop_dates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendances")),
        sa.UniqueConstraint(
            "participant_id", "workshop_date_id", name=op.f("uq_attendances_participant_id")
        ),
    )
    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendances_workshop_date_id"), ["workshop_date_id"], unique=False
        )

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("headcount", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("surname", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("gender", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("school", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("school_year", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("health_notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("pickup_note", sa.Text(), nullable=True))

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("responsible_adult", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("slip_received_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("checkin_code", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_registrations_checkin_code"), ["checkin_code"]
        )

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reset_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("reset_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_staff_users_reset_token_hash"), ["reset_token_hash"]
        )

    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("optional_fields", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_consentchannel"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentchannel"), "channel IN ('online', 'paper', 'verbal')"
        )
        batch_op.drop_constraint(op.f("ck_consents_consentpurpose"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentpurpose"), f"purpose IN ({PURPOSES})"
        )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("optional_fields")

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_users_reset_token_hash"), type_="unique")
        batch_op.drop_column("reset_expires_at")
        batch_op.drop_column("reset_token_hash")

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_registrations_checkin_code"), type_="unique")
        batch_op.drop_column("checkin_code")
        batch_op.drop_column("slip_received_at")
        batch_op.drop_column("responsible_adult")
        batch_op.drop_column("group_name")

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("pickup_note")
        batch_op.drop_column("health_notes")
        batch_op.drop_column("school_year")
        batch_op.drop_column("school")
        batch_op.drop_column("gender")
        batch_op.drop_column("surname")
        batch_op.drop_column("headcount")

    with op.batch_alter_table("attendances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendances_workshop_date_id"))

    op.drop_table("attendances")
    with op.batch_alter_table("registration_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_notes_registration_id"))

    op.drop_table("registration_notes")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_organisation_id"))

    op.drop_table("audit_entries")
    op.drop_table("login_throttles")
