"""Fonts for every printout: Noto Sans (Latin, Cyrillic) and Noto Sans Arabic, regular and bold.

Both families come from PyPI packages (fontpkg-noto-sans, fontpkg-noto-sans-arabic; SIL OFL 1.1)
as variable fonts. reportlab draws a variable font in its default instance, which is the
regular weight, but cannot choose another weight: the bold faces are static instances made
once with fontTools and kept in a cache directory. Fonts are registered once per process.
"""

import contextlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import fontpkg
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

#: Bump when the way the bold instance is made changes, so old cached files are not used.
INSTANCE_FORMAT = 1

#: reportlab does no OpenType layout; dropping these tables first makes instancing 4x faster.
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "JSTF", "BASE")


@dataclass(frozen=True)
class Face:
    """One family as registered with reportlab: a name for each weight."""

    family: str
    regular: str
    bold: str

    def name(self, bold: bool = False) -> str:
        return self.bold if bold else self.regular


#: Latin (all 13 languages but three) and Cyrillic (uk, ru, bg).
LATIN = Face("Noto Sans", "NotoSans", "NotoSans-Bold")
#: Arabic script (ar, fa, ps); it carries Latin letters and digits too.
ARABIC = Face("Noto Sans Arabic", "NotoSansArabic", "NotoSansArabic-Bold")
FACES = (LATIN, ARABIC)

_lock = threading.Lock()
_registered = False


def default_cache_dir() -> Path:
    """Return $SIGNUP_FONT_CACHE, else the user's cache directory (~/.cache/signup/fonts)."""
    if configured := os.environ.get("SIGNUP_FONT_CACHE"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "signup" / "fonts"


def register_fonts(cache_dir: str | os.PathLike | None = None) -> None:
    """Register both families with reportlab, building the bold instances on first use.

    Later calls do nothing, whatever `cache_dir` they name.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        directory = Path(cache_dir) if cache_dir else default_cache_dir()
        for face in FACES:
            pdfmetrics.registerFont(TTFont(face.regular, str(fontpkg.path(face.family))))
            pdfmetrics.registerFont(TTFont(face.bold, bold_instance(face.family, directory)))
            pdfmetrics.registerFontFamily(
                face.regular,
                normal=face.regular,
                bold=face.bold,
                italic=face.regular,
                boldItalic=face.bold,
            )
        _registered = True


def bold_instance(family: str, cache_dir: Path) -> str | BytesIO:
    """Return the cached static bold instance of `family`, making it first if needed.

    Two processes may ask at once: one builds while the other waits on a lock file, and
    the file appears whole or not at all (written aside, then renamed). Where the cache
    cannot be written, the instance is made in memory for this process.
    """
    source = fontpkg.family(family)
    target = cache_dir / f"{source.slug}-{source.version}-wght700-v{INSTANCE_FORMAT}.ttf"
    if target.is_file():
        return str(target)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(cache_dir / ".lock"):
            if not target.is_file():
                _write_atomically(target, _make_bold(fontpkg.path(family)))
        return str(target)
    except OSError as error:
        log.warning(
            "font cache %s not writable (%s): bold %s made in memory", cache_dir, error, family
        )
        return BytesIO(_make_bold(fontpkg.path(family)))


def _make_bold(path: Path) -> bytes:
    """Pin the variable font at weight 700, normal width; name it "… Bold"."""
    from fontTools.ttLib import TTFont as OpenTypeFont
    from fontTools.varLib import instancer

    font = OpenTypeFont(str(path))
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    limits = {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes}
    limits["wght"] = 700
    # Without updateFontNames the instance keeps the regular name, and a PDF viewer that
    # matches fonts by name prints everything in one weight.
    static = instancer.instantiateVariableFont(font, limits, updateFontNames=True)
    buffer = BytesIO()
    static.save(buffer)
    return buffer.getvalue()


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other service users
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _file_lock(path: Path):
    """Hold an exclusive lock on `path` across processes (where the platform has flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: the atomic rename alone keeps the cache whole
        yield
        return
    with open(path, "a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
