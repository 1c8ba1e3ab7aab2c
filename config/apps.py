from django.apps import AppConfig


class CitaConfig(AppConfig):
    """Project-wide pieces that are not an app of their own: deployment checks."""

    name = "config"
    verbose_name = "Cita"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the checks)
