"""Deployment checks (`manage.py check --deploy`): refuse development secrets in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

DEV_MARKERS = ("dev-only",)


@register(Tags.security, deploy=True)
def production_secrets(app_configs, **kwargs) -> list[Error]:
    errors: list[Error] = []
    for name in ("SECRET_KEY", "PERSON_KEY_SECRET"):
        if any(marker in getattr(settings, name) for marker in DEV_MARKERS):
            errors.append(
                Error(
                    f"{name} is the development default.",
                    hint=f"Set {name} in the environment.",
                    id=f"cita.E00{len(errors) + 1}",
                )
            )
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: personal data would use the development key.",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="cita.E003",
            )
        )
    if not settings.LETTER_SIGNING_KEYS:
        errors.append(
            Error(
                "LETTER_SIGNING_KEYS is not set: letters would be signed with the development key.",
                hint="See docs/deployment.md.",
                id="cita.E004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def real_message_backend(app_configs, **kwargs) -> list[Error]:
    """A development backend prints sign-in codes to the log: anyone reading it could sign in."""
    try:
        backend = import_string(settings.MESSAGE_BACKEND)
    except ImportError as error:
        return [Error(f"MESSAGE_BACKEND cannot be imported: {error}", id="cita.E006")]
    if getattr(backend, "development_only", False):
        return [
            Error(
                f"MESSAGE_BACKEND is {settings.MESSAGE_BACKEND}, which writes sign-in codes to the log "
                "and sends nothing.",
                hint="Set MESSAGE_BACKEND to your SMS or email provider's backend (docs/deployment.md).",
                id="cita.E005",
            )
        ]
    return []
