"""mail: the outbox of e-mails to families, and the families' links sealed for them

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        "mail_links",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_mail_links_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_mail_links")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("mailkind", "confirmation", "promoted", "reminder", "changed", "cancelled"),
            nullable=False,
        ),
        sa.Column("once_key", sa.String(length=80), nullable=True),
        sa.Column("workshop_date_id", sa.Integer(), nullable=True),
        sa.Column("participant_ids", sa.String(length=200), nullable=False),
        sa.Column(
            "status", _enum("mailstatus", "pending", "sent", "failed", "dropped"), nullable=False
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_outbox_messages_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_date_id"],
            ["workshop_dates.id"],
            name=op.f("fk_outbox_messages_workshop_date_id_workshop_dates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshops.id"],
            name=op.f("fk_outbox_messages_workshop_id_workshops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("once_key", name=op.f("uq_outbox_messages_once_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_status"), ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade():
    op.drop_table("outbox_messages")
    op.drop_table("mail_links")
