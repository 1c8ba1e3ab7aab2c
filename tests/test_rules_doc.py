"""docs/rules.md stays true: every function, database constraint, file and test it names exists."""

import importlib
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
NAMES = re.findall(r"`([^`]+)`", DOC)
APPS = ("registrations.", "allocation.", "staff.", "letters.", "notifications.", "transparency.", "config.")


def test_every_test_named_exists():
    missing = []
    for name in NAMES:
        if "::" in name:
            path, test = name.split("::")
            source = ROOT / path
            if not source.exists() or f"def {test}(" not in source.read_text(encoding="utf-8"):
                missing.append(name)
    assert missing == []


def test_every_function_named_exists():
    missing = []
    for name in NAMES:
        if name.startswith(APPS) and "/" not in name and " " not in name:
            module, _, attribute = name.rpartition(".")
            try:
                getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError):
                missing.append(name)
    assert missing == []


def test_every_constraint_and_file_named_exists():
    constraints = {c.name for model in apps.get_models() for c in model._meta.constraints}
    rows = [line for line in DOC.splitlines() if line.startswith("| Database |")]
    named = [name for row in rows for name in re.findall(r"`([a-z_]+)`", row)]
    assert named, "no constraint found in the Database rows: the look-up is broken"
    assert [name for name in named if name not in constraints] == []
    files = [name for name in NAMES if "/" in name and "::" not in name]
    assert [name for name in files if not (ROOT / name).exists()] == []
