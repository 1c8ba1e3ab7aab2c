"""Pages for NGO staff and operators: assisted registration, vulnerable-case review, help desk,
notices, review queues and the audit log.

A separate app because it is a separate trust boundary from the applicant pages: its own
sign-in (password and a second factor), roles that limit which households each person may
see, and an audit entry for every view or change of a household.
"""
