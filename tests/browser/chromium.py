"""How Chromium runs here, for the browser tests and scripts/page_budget.py alike.

Debian's own binary (a tool's browser download fails on these machines), headless, without the
sandbox (CI runs as root) and without background network traffic (there is no internet).
"""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# DevTools' "Regular 2G": 250 kbit/s down, 50 kbit/s up, 300 ms round trip.
REGULAR_2G = {"offline": False, "latency": 300, "downloadThroughput": 250_000 / 8, "uploadThroughput": 50_000 / 8}
