"""Plain "send to a friend" links: the messenger opens with the text; no script, no tracker."""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..i18n import _


@dataclass(frozen=True)
class ShareLink:
    name: str
    href: str


def share_links(url: str, text: str, subject: str) -> list[ShareLink]:
    """Links that open WhatsApp, Telegram, SMS and e-mail with `text` and `url` filled in."""
    message = f"{text}\n{url}"
    return [
        ShareLink("WhatsApp", "https://wa.me/?" + urlencode({"text": message}, quote_via=quote)),
        ShareLink(
            "Telegram",
            "https://t.me/share/url?" + urlencode({"url": url, "text": text}, quote_via=quote),
        ),
        # "?&body=" is what both Android and iOS read.
        ShareLink("SMS", "sms:?&" + urlencode({"body": message}, quote_via=quote)),
        ShareLink(
            _("E-Mail"),
            "mailto:?" + urlencode({"subject": subject, "body": message}, quote_via=quote),
        ),
    ]
