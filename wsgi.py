"""Production entry point: gunicorn wsgi:app."""

from signup import create_app

app = create_app()
