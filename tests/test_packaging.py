"""A plain, non-editable install carries its templates, static files and catalogs."""

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import signup
    site = Path(sys.argv[1]).resolve()
    assert Path(signup.__file__).resolve().is_relative_to(site), signup.__file__
    assert Path(signup.resource_dir("templates")).is_relative_to(site)
    from flask_migrate import upgrade
    app = signup.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2]})
    with app.app_context():
        upgrade()
    client = app.test_client()
    german = client.get("/")
    english = client.get("/?lang=en")
    css = client.get("/static/style.css")
    assert german.status_code == 200 and "MINT-Workshops" in german.text, german.status_code
    assert english.status_code == 200 and 'lang="en"' in english.text
    assert "MINT-Workshops" not in english.text, "the wheel lacks the compiled English catalog"
    assert css.status_code == 200
    print("ok")
    """
)


@pytest.mark.slow
def test_wheel_runs_without_the_source_tree(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("signup-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "signup/templates/base.html" in names
    assert "signup/static/style.css" in names
    assert "signup/translations/en/LC_MESSAGES/messages.mo" in names
    assert "signup/migrations/versions/0001_initial_schema.py" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site), SIGNUP_SECRET_KEY="x")
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(site), str(tmp_path / "wheel.db")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")
