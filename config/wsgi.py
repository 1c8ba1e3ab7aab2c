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
