"""The outbox: messages to households (SMS, voice, email, in app), delivered with retries.

A separate app because delivery is its own concern: it runs from a command on a schedule,
talks to outside providers through a pluggable backend, and must never send twice for one event.
"""
