"""Build hook: put the top-level templates, static files and compiled catalogs into the wheel."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
RESOURCES = ("templates", "static", "translations")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        package = Path(self.build_lib) / "signup"
        for name in RESOURCES:
            target = package / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("*.mo", "*.pot"))
        for po_path in (package / "translations").glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as po, po_path.with_suffix(".mo").open("wb") as mo:
                write_mo(mo, read_po(po))


setup(cmdclass={"build_py": BuildWithResources})
