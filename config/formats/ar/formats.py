"""Arabic date and time together. Django's Arabic formats have none, so its English default
("ديسمبر 2, 2026, 2:30 م") showed the day after the month with Latin commas. Everything else
comes from Django's own Arabic formats."""

DATETIME_FORMAT = "j F، Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y g:i A"
