"""Configuration from SIGNUP_* variables."""

from signup import create_app
from signup.config import load_secret_key, normalise_database_url


def test_plain_postgresql_url_uses_psycopg():
    assert (
        normalise_database_url("postgresql://me@db/signup") == "postgresql+psycopg://me@db/signup"
    )
    assert normalise_database_url("postgres://me@db/signup") == "postgresql+psycopg://me@db/signup"
    assert normalise_database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SIGNUP_SECRET_KEY")
    first = load_secret_key(str(tmp_path))
    assert len(first) == 64
    assert load_secret_key(str(tmp_path)) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNUP_SECRET_KEY", "from-env")
    assert load_secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNUP_DATABASE_URL", "postgresql://someone@somewhere/db")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@somewhere/db"


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("SIGNUP_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/signup.db"
