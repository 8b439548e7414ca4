"""Page weight: bytes over the wire and requests for `/`, a workshop page and a family page.

    .venv/bin/python bench/page_weight.py [--json out.json]

Starts gunicorn on a fresh SQLite database with the demo data (`signup db upgrade`,
`signup demo`), signs one child up for the demo workshop to get a family page, then fetches
each page as a first visit would: the HTML, then every resource it references
(<link href>, <img src>, <script src>; data: URIs cost no request), once with
Accept-Encoding: br, gzip and once without. Counted are the bytes the server sends: status
line, headers and body exactly as transferred (plain HTTP/1.1 over a raw socket).
Budget: the workshop page with everything it loads at most 14 KB (14,336 bytes) in at most
two requests, compressed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import common
from common import ServerConfig, log, table

BUDGET_BYTES = 14 * 1024
BUDGET_REQUESTS = 2
WORKSHOP = "/w/ki4u"
ENCODINGS = {"br, gzip": "br, gzip", "none": None}


class ResourceFinder(HTMLParser):
    """Collect the URLs a browser loads for a page: stylesheets, icons, images, scripts."""

    LOADED_LINKS = {
        "stylesheet",
        "icon",
        "shortcut",
        "preload",
        "modulepreload",
        "manifest",
        "apple-touch-icon",
    }

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.skipped: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = None
        if tag == "link" and set((attrs.get("rel") or "").lower().split()) & self.LOADED_LINKS:
            url = attrs.get("href")
        elif tag in {"img", "script"}:
            url = attrs.get("src")
        if not url:
            return
        if url.startswith("data:") or urlsplit(url).netloc:
            self.skipped.append(url[:40])
        elif url not in self.urls:
            self.urls.append(url)


def fetch(
    port: int,
    path: str,
    encoding: str | None,
    cookie: str | None = None,
    language: str | None = None,
):
    headers = {"Accept": "text/html,*/*", "User-Agent": "signup-bench"}
    if language:
        headers["Accept-Language"] = language
    if encoding:
        headers["Accept-Encoding"] = encoding
    if cookie:
        headers["Cookie"] = cookie
    response = common.http_request("127.0.0.1", port, "GET", path, headers)
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    return response


def page_weight(
    port: int,
    path: str,
    encoding: str | None,
    cookie: str | None = None,
    language: str | None = None,
) -> dict:
    html = fetch(port, path, encoding, cookie, language)
    finder = ResourceFinder()
    finder.feed(html.text())
    resources = [
        {
            "url": path,
            "kind": "html",
            "status": html.status,
            "content_encoding": html.header("Content-Encoding") or "identity",
            "body_bytes": len(html.body),
            "header_bytes": html.header_bytes,
            "wire_bytes": html.wire_bytes,
            "request_bytes": html.request_bytes,
            "decoded_bytes": len(common.decode_body(html.body, html.header("Content-Encoding"))),
        }
    ]
    for url in finder.urls:
        asset = fetch(port, url, encoding, cookie, language)
        resources.append(
            {
                "url": url,
                "kind": "asset",
                "status": asset.status,
                "content_encoding": asset.header("Content-Encoding") or "identity",
                "body_bytes": len(asset.body),
                "header_bytes": asset.header_bytes,
                "wire_bytes": asset.wire_bytes,
                "request_bytes": asset.request_bytes,
                "decoded_bytes": len(
                    common.decode_body(asset.body, asset.header("Content-Encoding"))
                ),
                "cache_control": asset.header("Cache-Control"),
            }
        )
    return {
        "page": path,
        "accept_encoding": encoding or "none",
        "language": language,
        "html_lang": (re.search(r'<html lang="([^"]+)"', html.text()) or [None, None])[1],
        "requests": len(resources),
        "wire_bytes": sum(r["wire_bytes"] for r in resources),
        "body_bytes": sum(r["body_bytes"] for r in resources),
        "request_bytes": sum(r["request_bytes"] for r in resources),
        "skipped": finder.skipped,
        "resources": resources,
    }


def sign_up(port: int) -> tuple[str, str]:
    """Register one child for the demo workshop; return the family page and its cookie."""
    page = fetch(port, WORKSHOP, None)
    cookie = re.search(r"session=[^;]+", page.header("Set-Cookie")).group(0)
    html = page.text()
    fields = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html).group(1)
        for name in ("csrf_token", "submission_id")
    }
    fields.update(
        {
            "children-0-first_name": "Amira",
            "children-0-age": "11",
            "phone": "+4915112349876",
            "consent_participation": "y",
            "submit": "1",
        }
    )
    response = common.http_request(
        "127.0.0.1",
        port,
        "POST",
        WORKSHOP,
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        urlencode(fields).encode(),
    )
    if response.status != 302:
        raise RuntimeError(f"sign-up answered {response.status}")
    location = urlsplit(response.header("Location")).path
    new_cookie = re.search(r"session=[^;]+", response.header("Set-Cookie") or "")
    return location, new_cookie.group(0) if new_cookie else cookie


def languages() -> list[str]:
    """The shipped languages (signup.i18n.LANGUAGES)."""
    from signup.i18n import LANGUAGES

    return list(LANGUAGES)


def run() -> dict:
    with common.fresh_database("sqlite") as url:
        common.prepare_database(url)
        with common.gunicorn(url, ServerConfig(workers=1)) as server:
            family_page, cookie = sign_up(server.port)
            pages = [
                ("/", "start page", None),
                (WORKSHOP, "workshop page", None),
                (family_page, "family page", cookie),
            ]
            results = []
            for path, label, page_cookie in pages:
                for encoding in ENCODINGS.values():
                    result = page_weight(server.port, path, encoding, page_cookie)
                    result["label"] = label
                    results.append(result)
            by_language = []
            for language in languages():
                result = page_weight(server.port, WORKSHOP, "br, gzip", language=language)
                result["catalog_compiled"] = (
                    language == "de"
                    or (
                        common.ROOT / "translations" / language / "LC_MESSAGES" / "messages.mo"
                    ).exists()
                )
                by_language.append(result)
    budget = next(r for r in results if r["page"] == WORKSHOP and r["accept_encoding"] != "none")
    heaviest = max(by_language, key=lambda r: r["wire_bytes"])
    return {
        "pages": results,
        "languages": by_language,
        "heaviest_language": {
            "language": heaviest["language"],
            "wire_bytes": heaviest["wire_bytes"],
            "met": heaviest["wire_bytes"] <= BUDGET_BYTES
            and heaviest["requests"] <= BUDGET_REQUESTS,
        },
        "budget": {
            "bytes": BUDGET_BYTES,
            "requests": BUDGET_REQUESTS,
            "measured_bytes": budget["wire_bytes"],
            "measured_requests": budget["requests"],
            "met": budget["wire_bytes"] <= BUDGET_BYTES and budget["requests"] <= BUDGET_REQUESTS,
        },
    }


def report(data: dict) -> str:
    rows = []
    for r in data["pages"]:
        html = r["resources"][0]
        assets = r["resources"][1:]
        rows.append(
            [
                r["label"],
                r["accept_encoding"],
                r["requests"],
                html["decoded_bytes"],
                html["body_bytes"],
                html["wire_bytes"],
                sum(a["wire_bytes"] for a in assets),
                r["wire_bytes"],
                r["request_bytes"],
            ]
        )
    detail = []
    for r in data["pages"]:
        for res in r["resources"]:
            url = re.sub(r"/r/[^/?]+", "/r/<token>", res["url"])
            detail.append(
                [
                    r["label"],
                    r["accept_encoding"],
                    url,
                    res["content_encoding"],
                    res["decoded_bytes"],
                    res["body_bytes"],
                    res["header_bytes"],
                    res["wire_bytes"],
                ]
            )
    lang_rows = [
        [
            r["language"],
            r["html_lang"],
            "yes" if r["catalog_compiled"] else "no",
            r["requests"],
            r["resources"][0]["decoded_bytes"],
            r["resources"][0]["wire_bytes"],
            r["wire_bytes"],
            "yes" if r["wire_bytes"] <= BUDGET_BYTES else "NO",
        ]
        for r in data["languages"]
    ]
    b = data["budget"]
    verdict = (
        f"Budget (workshop page + what it loads, compressed): {b['measured_bytes']:,} bytes in "
        f"{b['measured_requests']} requests; limit {b['bytes']:,} bytes in {b['requests']} "
        f"requests: {'MET' if b['met'] else 'NOT MET'}"
    )
    return "\n\n".join(
        [
            "Per page, first visit (bytes the server sends: headers + body)\n\n"
            + table(
                [
                    "page",
                    "Accept-Encoding",
                    "requests",
                    "HTML bytes",
                    "HTML body on wire",
                    "HTML wire total",
                    "assets wire",
                    "page wire total",
                    "bytes sent by client",
                ],
                rows,
                align="ll" + "r" * 7,
            ),
            "Per response\n\n"
            + table(
                [
                    "page",
                    "Accept-Encoding",
                    "URL",
                    "Content-Encoding",
                    "decoded",
                    "body",
                    "headers",
                    "wire",
                ],
                detail,
                align="llll" + "r" * 4,
            ),
            "Workshop page per language (Accept-Language, compressed, with its stylesheet)\n\n"
            + table(
                [
                    "Accept-Language",
                    "page lang",
                    "catalog compiled",
                    "requests",
                    "HTML bytes",
                    "HTML wire",
                    "page wire total",
                    "within 14 KB",
                ],
                lang_rows,
                align="lll" + "r" * 5,
            ),
            verdict,
        ]
    )


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    common.snapshot_app()
    log("page weight: gunicorn on SQLite with the demo data")
    data = run()
    print(report(data))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2))
    return data


if __name__ == "__main__":
    sys.exit(0 if main()["budget"]["met"] else 1)
