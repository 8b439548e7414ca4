"""signup: registration for free STEM workshops, in the family's own language."""

from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> str:
    """Find templates/, static/ or translations/: in an installed wheel, or beside the package."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else PACKAGE_DIR.parent / name)


def create_app(config: dict | None = None) -> Flask:
    """Create the app; `config` overrides settings read from the environment."""
    from . import cli, errors, i18n, security
    from .checkin.views import bp as checkin_bp
    from .config import Config
    from .database import IdConverter, configure_engine
    from .extensions import babel, compress, csrf, db, limiter, login, migrate
    from .mail.views import bp as messages_bp
    from .printables.views import bp as printables_bp
    from .registrations.assisted import bp as assisted_bp
    from .registrations.manage import bp as manage_registrations_bp
    from .registrations.views import bp as registrations_bp
    from .reports.views import bp as reports_bp
    from .staff.models import StaffUser
    from .staff.views import bp as staff_bp
    from .views import bp as core_bp
    from .workshops.manage import bp as manage_workshops_bp
    from .workshops.views import bp as workshops_bp

    app = Flask(
        __name__,
        template_folder=resource_dir("templates"),
        static_folder=resource_dir("static"),
        instance_relative_config=True,
    )
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.from_object(Config(app.instance_path))
    app.config.update(config or {})

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    configure_engine(app)
    limiter.init_app(app)  # first: a refused request costs no form parsing, no write lock
    csrf.init_app(app)
    compress.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=resource_dir("translations"),
    )
    login.init_app(app)
    login.login_view = "staff.login"
    login.login_message = i18n._l("Bitte melden Sie sich an.")
    login.user_loader(lambda user_id: db.session.get(StaffUser, int(user_id)))

    i18n.init_templates(app)
    security.init_app(app)
    errors.register_error_handlers(app)
    cli.init_app(app)
    app.after_request(i18n.remember_language)

    app.register_blueprint(core_bp)
    app.register_blueprint(workshops_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(manage_workshops_bp)
    app.register_blueprint(manage_registrations_bp)
    app.register_blueprint(assisted_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(printables_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(messages_bp)
    return app
