"""Cita settings: one file, read from the environment, safe defaults for development.

Every setting that differs between a laptop and production comes from an environment
variable read through the small helpers below, which fail loudly on bad values.
"""

import os
from pathlib import Path

from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_counts(name: str) -> dict[str, int]:
    """Pairs like signin=200,register=500, as {"signin": 200, "register": 500}."""
    counts = {}
    for item in env_list(name, ""):
        key, _, value = item.partition("=")
        if not key.strip() or not value.strip().isdigit():
            raise ValueError(f"{name} must be name=number pairs separated by commas, not {item!r}")
        counts[key.strip()] = int(value)
    return counts


DEBUG = env_bool("DEBUG", False)
# The development key is public on purpose; production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# The key of the duplicate-person blind index. Changing it needs `manage.py rekey_persons` (docs/deployment.md).
PERSON_KEY_SECRET = env_str("PERSON_KEY_SECRET", "dev-only-person-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "config.apps.CitaConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the form renderer below
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shared",
    "registrations",
    "allocation",
    "transparency",
    "staff",
    "letters",
    "notifications",
    "simulation",
    "housekeeping",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shared.public.PublicCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shared.compression.SizedGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.NulInAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.csrf.HeldCsrfCookieMiddleware",  # right after Django's: see config/csrf.py
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "registrations.middleware.ApplicantMiddleware",
    "shared.sessions.SessionTimeoutMiddleware",
    "registrations.middleware.ResendMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.pwa.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Every field is drawn by templates/forms/field.html (see config/forms.py).
FORM_RENDERER = "config.forms.CitaFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registrations.context_processors.applicant",
            ],
        },
    },
]

# Database: SQLite by default (WAL, busy timeout), PostgreSQL when DATABASE_URL is set.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, whose check of a kept connection polls its socket instead of sending SELECT 1.
        DATABASES["default"]["ENGINE"] = "config.postgresql"
        # Parameters sent apart from the SQL, and a statement a connection has run five times prepared, so
        # PostgreSQL plans it once: planning was most of the database's time on the busiest pages (the
        # signed-in session's join: 0.43 ms of PostgreSQL CPU planned each time, 0.07 ms prepared). Django
        # turns psycopg's preparing off unless prepare_threshold is given.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Languages: names are shown in their own language by the language switch.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("ht", "Kreyòl ayisyen"),
    ("fr", "Français"),
    ("pt", "Português"),
    ("ru", "Русский"),
    ("zh-hans", "简体中文"),
    ("ar", "العربية"),
]
LANGUAGES_BIDI = ["ar"]
# LOCALE_DIR lets the catalogue test extract messages into a scratch copy. locale_django holds
# Haitian Creole for Django's own messages (month names, form and admin messages): Django has none.
LOCALE_PATHS = [Path(env_str("LOCALE_DIR", str(BASE_DIR / "locale"))), BASE_DIR / "locale_django"]
# Our own date, time and number formats where Django's are missing or English (see config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
# Numbers grouped the reader's way ("1.000" in Spanish, "1 000" in French). Numbers a machine reads
# (ids in form values, SVG coordinates) are printed with |unlocalize.
USE_THOUSAND_SEPARATOR = True
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 365 * 24 * 3600

# Applicants' sessions last 30 days so a weak connection never forces a new sign-in. Staff
# sessions, and anyone's on a device they said is shared, end much sooner (shared/sessions.py).
SESSION_COOKIE_AGE = 30 * 24 * 3600
# Database sessions whose row also holds the signed-in applicant, read with it in one query.
SESSION_ENGINE = "registrations.session_store"
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 10)
SHARED_DEVICE_IDLE_MINUTES = env_int("SHARED_DEVICE_IDLE_MINUTES", 15)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# Messages in a signed cookie, then the session, as Django's FallbackStorage; built when first used.
MESSAGE_STORAGE = "config.messages.LazyFallbackStorage"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: no inline script, everything from our own origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# One-time sign-in codes.
SIGNIN_CODE_TTL_SECONDS = env_int("SIGNIN_CODE_TTL_SECONDS", 10 * 60)
RECOVERY_CODE_COUNT = 8
# How the outbox delivers codes and messages. The default keeps them in a table and prints them
# (development only); production uses notifications.gateway.GatewayBackend: Kannel and SMTP.
MESSAGE_BACKEND = env_str("MESSAGE_BACKEND", "shared.messaging.DatabaseBackend")
if MESSAGE_BACKEND == "registrations.messaging.DatabaseBackend":  # its name before it moved to shared/
    MESSAGE_BACKEND = "shared.messaging.DatabaseBackend"
# Kannel's smsbox sendsms interface, e.g. http://127.0.0.1:13013/cgi-bin/sendsms (docs/deployment.md).
KANNEL_SENDSMS_URL = env_str("KANNEL_SENDSMS_URL", "")
KANNEL_USERNAME = env_str("KANNEL_USERNAME", "")
KANNEL_PASSWORD = env_str("KANNEL_PASSWORD", "")
KANNEL_FROM = env_str("KANNEL_FROM", "")  # the sender number or short code people reply to
KANNEL_SMSC = env_str("KANNEL_SMSC", "")  # route through one smsc-id; empty lets Kannel choose
KANNEL_TIMEOUT_SECONDS = env_int("KANNEL_TIMEOUT_SECONDS", 10)
# Where Kannel reaches Cita with delivery reports and incoming texts (often an internal address).
SMS_CALLBACK_URL = env_str("SMS_CALLBACK_URL", SITE_URL)
# The shared secret in Kannel's callback URLs, and the addresses Kannel may call from.
SMS_GATEWAY_SECRET = env_str("SMS_GATEWAY_SECRET", "dev-only-sms-gateway-secret")
SMS_GATEWAY_ALLOWED_ADDRESSES = env_list("SMS_GATEWAY_ALLOWED_ADDRESSES", "127.0.0.1,::1")
# Messages per second handed to the gateway by the sender loop (the operator's throttle).
SMS_SEND_RATE = env_int("SMS_SEND_RATE", 20)
# No delivery report this long after sending: the message goes to the household's other contact.
SMS_FALLBACK_SECONDS = env_int("SMS_FALLBACK_SECONDS", 15 * 60)
SIGNIN_SMS_FALLBACK_SECONDS = env_int("SIGNIN_SMS_FALLBACK_SECONDS", 2 * 60)
# A phone not registered to a household gets a short help text at most this often per day.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
OUTBOX_URGENT_RETRY_SECONDS = env_int("OUTBOX_URGENT_RETRY_SECONDS", 5)
# Email through Django's SMTP mailer, configured from the environment.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 10),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cita <cita@localhost>")
IDEMPOTENCY_KEY_RETENTION_DAYS = env_int("IDEMPOTENCY_KEY_RETENTION_DAYS", 30)
MAX_HOUSEHOLD_SIZE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
# A port farther than this from where the applicant is now gets a warning before they confirm.
FAR_PORT_KM = env_int("FAR_PORT_KM", 300)

LOGIN_URL = "staff_login"
# Staff who open the sign-in page directly land on their home page (Django's default is /accounts/profile/).
LOGIN_REDIRECT_URL = "staff_home"
OTP_TOTP_ISSUER = "Cita"
# An offered appointment must be confirmed within this time, or it returns to the pool.
OFFER_CONFIRM_HOURS = env_int("OFFER_CONFIRM_HOURS", 48)
# Seats Cita frees (a family grew, or cancelled) are offered again at once when the appointment is at
# least this far away; closer than that they are recorded as unused.
REOFFER_MIN_HOURS = env_int("REOFFER_MIN_HOURS", 48)
# Letter signing keys (Ed25519), "key-id:base64url-private-key", newest first; see docs/letters.md.
LETTER_SIGNING_KEYS = env_list("LETTER_SIGNING_KEYS", "")
LETTER_RETIRED_PUBLIC_KEYS = env_list("LETTER_RETIRED_PUBLIC_KEYS", "")
# An exemption letter is valid this many days from issue (a child's letter ends at 18 if sooner).
EXEMPTION_LETTER_DAYS = env_int("EXEMPTION_LETTER_DAYS", 90)
# Check-in opens this many minutes before the appointment's window (it closes at the port's grace period).
CHECK_IN_EARLY_MINUTES = env_int("CHECK_IN_EARLY_MINUTES", 60)
# Keys for personal fields at rest (32 random bytes, URL-safe base64, as Fernet makes them), newest first (see
# shared/encryption.py).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
# Closed households keep their personal data this long (for questions and appeals), then are erased.
CLOSED_HOUSEHOLD_RETENTION_DAYS = env_int("CLOSED_HOUSEHOLD_RETENTION_DAYS", 180)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
# How many proxies of ours add to X-Forwarded-For (0: none, the peer is the client), and the
# networks they connect from: a peer elsewhere reached gunicorn around them (docs/rate-limits.md).
PROXY_HOPS = env_int("PROXY_HOPS", 1 if BEHIND_TLS_PROXY else 0)
PROXY_NETWORKS = env_list("PROXY_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7")
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
# Any limit of shared.ratelimit.LIMITS changed without a release, e.g. where carriers put
# many phones behind one address: RATE_LIMITS="signin=200,signin-code=400" (docs/rate-limits.md).
RATE_LIMITS = env_counts("RATE_LIMITS")
SECURITY_CONTACT = env_str("SECURITY_CONTACT", "security@cita.example")
