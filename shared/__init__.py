"""The shared package: what every Cita app uses and no app owns.

It imports no Cita app (tests/test_import_graph.py fails if it does), so any app may import it.
Here: encryption of personal fields, phone and e-mail addresses, free-text cleaning, session
lifetimes, public-page caching rules and small helpers for views. See docs/architecture.md.
"""
