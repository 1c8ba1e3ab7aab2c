import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Each worker builds its per-port queue counts in a thread as it starts, so no status view waits for it
# (allocation/waits.py, QueueDays); views count live until it is done.
from allocation.waits import QUEUE_DAYS  # noqa: E402  (after Django is set up)

QUEUE_DAYS.refresh_in_background()
