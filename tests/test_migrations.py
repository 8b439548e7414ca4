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
