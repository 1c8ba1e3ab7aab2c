"""Signed letters: appointment letters and exemption letters that anyone can verify offline.

A separate app because it is a separate trust concern: it holds the signing keys, and its
verify page is public and must never reveal more than the letter itself shows.
"""
