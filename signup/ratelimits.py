"""How often one address may try: generous for families, strict for logins and guessed links.

Counted per IP address. A KI office or a school shares one address, so family limits are set
for a whole class registering at once; the strict ones only touch what no family needs often.
"""

from flask import request
from flask_limiter import Limit

#: Sign-up form posts, across all workshops: a class of 30 families, each perhaps adding a
#: child row or fixing a typo first, gets through in a minute; a flood does not.
SIGN_UP = "60/minute;300/hour"
#: Staff login posts, on top of the per-account slow-down in staff/services.py.
LOGIN = "10/minute;50/hour"
#: Secret links (/r/<token>, /staff/reset/<token>) that were not found. Only misses count, so
#: a family may reload its own page as often as it likes.
WRONG_LINKS = "30/minute;200/hour"


def _unless_endpoint(endpoint: str):
    return lambda: request.endpoint != endpoint


def _has_no_token() -> bool:
    return "token" not in (request.view_args or {})


def _not_found(response) -> bool:
    return response.status_code == 404


RATE_LIMITS = [
    Limit(
        SIGN_UP,
        scope="sign-up",
        shared=True,
        methods=["POST"],
        exempt_when=_unless_endpoint("workshops.show_workshop"),
    ),
    Limit(
        LOGIN,
        scope="login",
        shared=True,
        methods=["POST"],
        exempt_when=_unless_endpoint("staff.login"),
    ),
    Limit(
        WRONG_LINKS,
        scope="wrong-link",
        shared=True,
        exempt_when=_has_no_token,
        deduct_when=_not_found,
    ),
]
