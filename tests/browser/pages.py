"""The pages of the page-budget list, named once for scripts/page_budget.py and the accessibility test."""

# Public pages, by URL name (a name not routed is left out).
PUBLIC_URL_NAMES = ["how_it_works", "where", "draws", "statistics"]
# Pages on the way from signing in to a registered household, in the order a person meets them.
JOURNEY_PATHS = ["/signin/code", "/recovery-codes", "/household/new", "/household/registered"]
# Pages of a signed-in applicant with a household; {member} is the pk of one of its people.
SIGNED_IN_PATHS = ["/household", "/household/members/add", "/household/members/{member}/change", "/household/details"]


def public_paths() -> list[str]:
    from django.urls import NoReverseMatch, reverse

    paths = ["/", "/signin", "/signin/recover", "/offline"]
    for name in PUBLIC_URL_NAMES:
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            continue
    return paths
