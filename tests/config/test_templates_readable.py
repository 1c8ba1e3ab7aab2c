"""Templates stay indented and readable: gzip makes whitespace free, so no line is hand-minified."""

from pathlib import Path

from django.conf import settings

LIMIT = 200


def test_no_template_line_is_longer_than_200_characters():
    long = [
        f"{path.relative_to(settings.BASE_DIR)}:{number} ({len(line)} characters)"
        for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*"))
        if path.suffix in {".html", ".svg", ".txt", ".js"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LIMIT
    ]
    assert long == []
