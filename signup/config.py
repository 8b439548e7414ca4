"""Configuration from SIGNUP_* environment variables, with safe defaults."""

import os
import secrets
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Let a plain postgresql:// URL use the psycopg 3 driver that signup installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: str) -> str:
    """Return SIGNUP_SECRET_KEY, or a key generated once and kept in the instance folder."""
    key = os.environ.get("SIGNUP_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings read from the environment when the app is created."""

    def __init__(self, instance_path: str):
        default_db = "sqlite:///" + str(Path(instance_path) / "signup.db")
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("SIGNUP_DATABASE_URL", default_db)
        )
        self.SECRET_KEY = load_secret_key(instance_path)
        #: Public address used in QR codes and links that leave the browser (mail, print).
        self.SIGNUP_BASE_URL = os.environ.get("SIGNUP_BASE_URL", "http://127.0.0.1:5000")
        self.SIGNUP_TIMEZONE = os.environ.get("SIGNUP_TIMEZONE", "Europe/Berlin")
        #: Region used to read phone numbers typed without a country code.
        self.SIGNUP_PHONE_REGION = os.environ.get("SIGNUP_PHONE_REGION", "DE")
        #: Behind HTTPS: cookies (session, language, remember-me) only travel over it.
        self.SESSION_COOKIE_SECURE = env_flag("SIGNUP_COOKIE_SECURE", False)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        #: Reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For and
        #: X-Forwarded-Proto are believed, so that rate limits count each visitor's own address
        #: and HSTS is sent when the visitor came by HTTPS.
        self.SIGNUP_PROXY_COUNT = int(os.environ.get("SIGNUP_PROXY_COUNT", "0"))
        #: Rate limits (signup/ratelimits.py); switched off only for load tests.
        self.RATELIMIT_ENABLED = env_flag("SIGNUP_RATELIMIT_ENABLED", True)
        #: Counters in each process's memory, or in Redis (redis://host:6379) shared by all
        #: workers and hosts.
        self.RATELIMIT_STORAGE_URI = os.environ.get("SIGNUP_RATELIMIT_STORAGE_URI") or "memory://"
        #: E-mail to families (signup/mail/): off while no SMTP server is named.
        self.SIGNUP_MAIL_HOST = os.environ.get("SIGNUP_MAIL_HOST", "")
        self.SIGNUP_MAIL_PORT = int(os.environ.get("SIGNUP_MAIL_PORT", "587"))
        #: "starttls" (port 587), "tls" (port 465) or "none" (a relay on the same host).
        self.SIGNUP_MAIL_SECURITY = os.environ.get("SIGNUP_MAIL_SECURITY", "starttls").lower()
        self.SIGNUP_MAIL_USERNAME = os.environ.get("SIGNUP_MAIL_USERNAME", "")
        self.SIGNUP_MAIL_PASSWORD = os.environ.get("SIGNUP_MAIL_PASSWORD", "")
        #: The sender families see; by default signup@ the public address's host.
        self.SIGNUP_MAIL_FROM = os.environ.get("SIGNUP_MAIL_FROM", "")
        self.SIGNUP_MAIL_TIMEOUT = float(os.environ.get("SIGNUP_MAIL_TIMEOUT", "10"))
        #: A family may leave the form open for a long time; an expired token re-shows the form.
        self.WTF_CSRF_TIME_LIMIT = 8 * 3600
        self.WTF_CSRF_SSL_STRICT = False
        # Every message a form shows is our own, translated in our catalogs; WTForms' own
        # catalogs would only cost a parse on every request.
        self.WTF_I18N_ENABLED = False
        # hide_parameters: an error logged with its SQL must not carry names or phone numbers.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
        self.BABEL_DEFAULT_LOCALE = "de"
        self.BABEL_DEFAULT_TIMEZONE = self.SIGNUP_TIMEZONE
        self.COMPRESS_MIMETYPES = ["text/html", "text/css", "text/csv", "application/json"]
        self.COMPRESS_MIN_SIZE = 300
        # Streamed responses (static files) stay uncompressed: Flask-Compress's streaming
        # path leaves the file open, and the one stylesheet is small.
        self.COMPRESS_STREAMS = False
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.SEND_FILE_MAX_AGE_DEFAULT = 7 * 24 * 3600
        self.MAX_CONTENT_LENGTH = 256 * 1024
        self.MAX_FORM_PARTS = 200
