"""A teenager's own agreement to photos is a consent purpose of its own.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BEFORE = (
    "'participation', 'photo_internal', 'photo_website', 'photo_press', 'photo_social', 'health'"
)


def upgrade() -> None:
    # CHECK constraints are not seen by autogenerate: replaced by hand, as in 0002.
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_consentpurpose"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentpurpose"), f"purpose IN ({BEFORE}, 'young_agreement')"
        )


def downgrade() -> None:
    op.execute("DELETE FROM consents WHERE purpose = 'young_agreement'")
    with op.batch_alter_table("consents") as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_consentpurpose"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_consents_consentpurpose"), f"purpose IN ({BEFORE})"
        )
