"""The gazetteer shipped with Cita: where applicants can say they are now."""

import csv
from pathlib import Path

GAZETTEER_FILE = Path(__file__).parent / "data" / "gazetteer.csv"


def gazetteer_rows() -> list[dict[str, str]]:
    with GAZETTEER_FILE.open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))
