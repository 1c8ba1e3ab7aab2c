"""Public transparency pages: how allocation works, every past draw, statistics, where
requests can be made from.

A separate app because it is a separate trust boundary: these pages are public, need no
sign-in, are cached, and must never read or show personal data, only rules and aggregates.
Keeping them apart makes that rule easy to check: nothing here imports Member.
"""
