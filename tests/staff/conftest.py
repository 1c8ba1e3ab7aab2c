"""Staff fixtures live in tests/conftest.py (used across the suite)."""

from tests.conftest import staff_client  # noqa: F401
