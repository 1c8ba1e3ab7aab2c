import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Each worker builds its per-port queue counts in a thread as it starts, so no status view waits for it
# (allocation/waits.py, QueueDays); views count live until it is done. gunicorn --preload (docs/deployment.md)
# imports this module once, in its master, and forks the workers from it: the build starts in each worker as
# it is forked, never in the master (a database connection open across a fork breaks SQLite, and a thread
# does not survive one). Without --preload the first status view starts it.
from allocation.waits import QUEUE_DAYS  # noqa: E402  (after Django is set up)


def _start_counts_in_worker() -> None:
    QUEUE_DAYS.refresh_in_background()


os.register_at_fork(after_in_child=_start_counts_in_worker)
