import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The per-port queue counts are built before anything is served (allocation/waits.py, QueueDays), so no view
# counts the whole line live while they are missing. gunicorn --preload (docs/deployment.md) imports this module
# once, in its master: one scan, and every worker forked with its result (a scan per worker, while all of them
# counted live, made a deploy's first views take up to 3 s). Without --preload each worker scans as it starts.
from allocation.waits import QUEUE_DAYS  # noqa: E402  (after Django is set up)

QUEUE_DAYS.build_before_serving()


def _load_what_first_views_load() -> None:
    """The translation catalogues of every language, the URL map and the status page's templates, loaded
    once here: with --preload the workers are forked with them instead of each loading them on its first
    views, all at the same moment."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import reverse
    from django.utils import translation

    reverse("household")
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogues
            pass
    get_template("registrations/household.html")


_load_what_first_views_load()

# What is loaded by now lives as long as the process: the garbage collector need not walk it again at each full
# collection, and with --preload a worker's collections then leave the master's pages shared (Python's gc docs:
# freeze before fork). A status page under load: CPU per view about 5 % lower (docs/reliability.md).
gc.collect()
gc.freeze()
