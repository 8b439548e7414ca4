"""Flask extensions, unbound; create_app initialises them."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .ratelimits import RATE_LIMITS

# Stable constraint names, so that Alembic migrations match on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login = LoginManager()
compress = Compress()
# Settings that Flask-Limiter would keep from the first app it saw are fixed here; the
# rest (on or off, storage) comes from each app's config. Limits never take the site down:
# with Redis gone, counting goes on in memory.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=RATE_LIMITS,
    strategy="fixed-window",
    headers_enabled=False,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
)
