"""Housekeeping: work that reaches the rows of many apps, so it sits above them all
(docs/architecture.md). Erasing a household and the daily purge (retention.py), and the demo data
(management commands load_demo and demo_staff_code)."""
