"""The shared package: what every Cita app uses and no app owns.

It imports no Cita app (tests/test_import_graph.py fails if it does), so any app may import it.
Here: the ports (households choose one, the draw fills it), the audit log and its translated
details, rate limits, resend safety, the outbox copy of messages, encryption of personal fields,
phone and e-mail addresses, which errors are database outages, free-text cleaning, dates, session
lifetimes, public-page caching rules and small helpers for views. See docs/architecture.md.
"""
