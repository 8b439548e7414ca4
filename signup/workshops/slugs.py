"""A workshop's address in links and QR codes: ASCII, made from the German title, never reused."""

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Workshop

#: Longest slug made from a title; room is left for "-2", "-3" … within the column's 80.
SLUG_MAX = 60


def slugify(text: str) -> str:
    """Make an ASCII address from a title: "Löten für Kinder" gives "loeten-fuer-kinder"."""
    text = text.replace("ß", "ss").replace("ẞ", "SS")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def unique_slug(session: Session, base: str) -> str:
    """Return `base`, or the first of base-2, base-3 … that no workshop has used."""
    base = base or "workshop"
    pattern = sa.or_(Workshop.slug == base, Workshop.slug.like(base + "-%"))
    taken = set(session.scalars(sa.select(Workshop.slug).where(pattern)))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def insert_with_slug(session: Session, workshop: Workshop, base: str, *, fixed=False) -> bool:
    """Add the workshop under `base`, or (unless fixed) its first free numbered form.

    Return False when the slug is taken. Another request may take a slug between the look-up
    and the insert; the insert then fails on the unique index and the next number is tried.
    """
    for _attempt in range(5):
        workshop.slug = unique_slug(session, base)
        if fixed and workshop.slug != base:
            return False
        try:
            with session.begin_nested():
                session.add(workshop)
                session.flush()
        except sa.exc.IntegrityError:
            continue
        return True
    return False
