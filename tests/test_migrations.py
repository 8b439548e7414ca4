"""The schema comes from the migrations, and they match the models."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from signup import create_app
from signup.extensions import db
from tests.conftest import test_config


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_migrations_go_down_and_up_again(tmp_path):
    app = create_app(test_config(f"sqlite:///{tmp_path / 'fresh.db'}"))
    with app.app_context():
        upgrade()
        assert "participants" in sa.inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "participants" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        assert "participants" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_upgrade_keeps_existing_registrations(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(test_config(url))
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO workshops (id, slug, status, capacity, min_age, max_age, "
                    "listed, waitlist_enabled, place_name, place_address, timezone, photo_uses, "
                    "created_at) VALUES (1, 'w', 'open', 5, 6, 12, 1, 1, 'Lab', '', "
                    "'Europe/Berlin', '', CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO registrations (id, workshop_id, token_hash, language, channel, "
                    "together, created_at) VALUES (1, 1, 'h', 'de', 'online', 0, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO participants (id, registration_id, workshop_id, first_name, age, "
                    "status, created_at) "
                    "VALUES (1, 1, 1, 'Amira', 8, 'confirmed', CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        from signup.workshops.models import Workshop

        workshop = db.session.get(Workshop, 1)
        assert (workshop.confirmed_count, workshop.optional_fields) == (1, "")
        db.session.remove()
        db.engine.dispose()
