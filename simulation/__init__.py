"""The simulator: Cita run day by day on a throw-away database, to measure the wait estimate.

An app of its own because it sits above all the others: it registers households, draws, checks
families in at the port and approves vulnerable cases through each app's own functions, as the
demo loader does; no app depends on it. See docs/allocation.md, "How accurate the wait is".
"""
