"""The public pages: list, workshop page with the form, friendly refusals."""

from datetime import date, timedelta

from signup.workshops.models import WorkshopStatus
from tests.factories import create_workshop, register


def test_start_page_lists_open_public_workshops_only(client):
    create_workshop(texts={"de": "Roboter bauen"})
    create_workshop(texts={"de": "Geheimer Workshop"}, listed=False)
    create_workshop(texts={"de": "Entwurf"}, status=WorkshopStatus.DRAFT)
    create_workshop(texts={"de": "Abgesagt"}, status=WorkshopStatus.CANCELLED)
    create_workshop(texts={"de": "Vorbei"}, days=[date.today() - timedelta(days=2)])
    html = client.get("/").get_data(as_text=True)
    assert "Roboter bauen" in html
    for hidden in ("Geheimer Workshop", "Entwurf", "Abgesagt", "Vorbei"):
        assert hidden not in html


def test_start_page_without_workshops_says_so(client):
    assert "Gerade ist keine Anmeldung offen" in client.get("/").get_data(as_text=True)


def test_workshop_page_shows_what_a_parent_needs(client):
    day = date(2031, 4, 14)  # a Monday
    workshop = create_workshop(
        texts={"de": "KI4U"}, days=[day], min_age=10, max_age=14, capacity=25
    )
    register(workshop, "Amira")
    response = client.get(f"/w/{workshop.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="de" dir="ltr">' in html
    for expected in (
        "KI4U",
        "Kinder von 10 bis 14 Jahren",
        "Montag, 14. April 2031",
        "10:30–14:30 Uhr",
        "Schülerlabor",
        "kostenlos",
        "Noch 24 Plätze frei.",
    ):
        assert expected in html
    assert 'name="children-0-first_name"' in html
    assert 'name="together"' not in html  # offered only with more than one child


def test_one_place_left_is_said_in_the_singular(client):
    workshop = create_workshop(capacity=2)
    register(workshop, "Amira")
    assert "Noch 1 Platz frei." in client.get(f"/w/{workshop.slug}").get_data(as_text=True)


def test_full_workshop_offers_the_waiting_list(client):
    workshop = create_workshop(capacity=1)
    register(workshop, "Amira")
    html = client.get(f"/w/{workshop.slug}").get_data(as_text=True)
    assert "Sie können Ihr Kind auf die Warteliste setzen" in html
    assert "<form" in html


def test_full_workshop_without_waiting_list_shows_no_form(client):
    workshop = create_workshop(capacity=1, waitlist_enabled=False)
    register(workshop, "Amira")
    html = client.get(f"/w/{workshop.slug}").get_data(as_text=True)
    assert "Alle Plätze sind vergeben." in html
    assert 'name="children-0-first_name"' not in html


def test_unknown_and_draft_workshops_are_a_friendly_404(client):
    draft = create_workshop(status=WorkshopStatus.DRAFT)
    for url in ("/w/no-such-workshop", f"/w/{draft.slug}", "/w/" + "x" * 5000):
        response = client.get(url)
        assert response.status_code == 404
        assert "Diese Seite gibt es nicht" in response.get_data(as_text=True)


def test_closed_and_cancelled_workshops_explain_themselves(client):
    closed = create_workshop(status=WorkshopStatus.CLOSED)
    cancelled = create_workshop(status=WorkshopStatus.CANCELLED)
    closed_html = client.get(f"/w/{closed.slug}").get_data(as_text=True)
    cancelled_html = client.get(f"/w/{cancelled.slug}").get_data(as_text=True)
    assert "Die Anmeldung für diesen Workshop ist geschlossen." in closed_html
    assert "Dieser Workshop wurde abgesagt." in cancelled_html
    for html in (closed_html, cancelled_html):
        assert "<form" not in html


def test_workshop_text_falls_back_to_german_visibly(client):
    workshop = create_workshop(texts={"de": "Roboter bauen"})
    html = client.get(f"/w/{workshop.slug}?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert '<h1 lang="de" dir="auto">Roboter bauen</h1>' in html
    assert "Diesen Text gibt es noch nicht in Ihrer Sprache" not in html  # the note is in English


def test_workshop_text_in_the_familys_language_when_it_exists(client):
    workshop = create_workshop(texts={"de": "Roboter bauen", "en": "Building robots"})
    html = client.get(f"/w/{workshop.slug}?lang=en").get_data(as_text=True)
    assert "<h1>Building robots</h1>" in html


def test_health_check_answers_200_with_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_health_check_answers_503_without_the_database(app):
    from signup import create_app

    broken = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none"}
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503


def test_responses_are_compressed_when_the_client_accepts_it(client):
    workshop = create_workshop()
    response = client.get(f"/w/{workshop.slug}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_every_response_has_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_stylesheet_is_served_without_leaking_a_file(client):
    # Warnings are errors: an unclosed file from the compression layer would fail here.
    response = client.get("/static/style.css", headers={"Accept-Encoding": "zstd, br, gzip"})
    assert response.status_code == 200
    assert b"margin-inline" in response.get_data()
    response.close()
