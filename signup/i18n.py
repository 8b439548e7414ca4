"""Languages, locale selection and text direction."""

from functools import cache

from babel import Locale, dates
from flask import current_app, request
from flask_babel import get_locale, gettext, lazy_gettext, lazy_pgettext, ngettext
from markupsafe import Markup

_ = gettext
_l = lazy_gettext
#: For a word that needs another translation in a context: "Mädchen" counted in a report.
_lp = lazy_pgettext
__all__ = ["LANGUAGES", "_", "_l", "_lp", "ngettext", "select_locale", "text_direction"]

#: Shipped languages, German first (the source language and the fallback).
LANGUAGES = ("de", "en", "tr", "ar", "fa", "ps", "uk", "ru", "pl", "ro", "bg", "ku", "sq")
DEFAULT_LANGUAGE = "de"
RTL_LANGUAGES = frozenset({"ar", "fa", "ps"})
LANGUAGE_COOKIE = "lang"


def normalise_language(code: str | None) -> str | None:
    """Return the shipped language a code names, or None."""
    if not code or len(code) > 20:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def select_locale() -> str:
    """Pick ?lang=, then the remembered choice, then Accept-Language, then German."""
    if not request:
        return DEFAULT_LANGUAGE
    chosen = normalise_language(request.args.get("lang")) or normalise_language(
        request.cookies.get(LANGUAGE_COOKIE)
    )
    if chosen:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def text_direction(language: str | None = None) -> str:
    code = language or str(get_locale() or DEFAULT_LANGUAGE)
    return "rtl" if code.split("_")[0] in RTL_LANGUAGES else "ltr"


@cache
def language_name(code: str) -> str:
    """Name a language in its own words (Türkçe, العربية …)."""
    return Locale.parse(code).get_display_name(code) or code


def remember_language(response):
    """Keep an explicit ?lang= choice in a cookie for the next visit."""
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    chosen = normalise_language(request.args.get("lang"))
    if chosen and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def format_day(day) -> str:
    """Weekday and date in the reader's language: "Montag, 13. April 2026"."""
    return dates.format_date(day, format="full", locale=get_locale())


def format_clock(moment) -> str:
    """A 24-hour time, whatever the locale's habit."""
    return dates.format_time(moment, "HH:mm", locale=get_locale())


def isolate(value) -> Markup:
    """Wrap a name or number in <bdi>, so it keeps its own direction inside a sentence."""
    return Markup("<bdi>{}</bdi>").format(value)


def init_templates(app) -> None:
    from .views import public_url
    from .workshops.sharing import share_links

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(day=format_day, clock=format_clock, isolate=isolate)
    app.jinja_env.globals.update(
        text_direction=text_direction,
        language_name=language_name,
        LANGUAGES=LANGUAGES,
        get_locale=get_locale,
        public_url=public_url,
        share_links=share_links,
    )
