"""Which organisations may see a household, as the household decides: it shares itself with an NGO
and may stop at any time. Each change is audited with the household's applicant as the actor."""

from django.db import transaction

from registrations.models import Household, Organisation, OrganisationHousehold
from shared.audit import record
from shared.by_key import rows_with
from shared.models import AuditAction

BY_NAME = OrganisationHousehold.objects.select_related("organisation").order_by("organisation__name")


def organisations_seeing(household: Household) -> list[OrganisationHousehold]:
    """The links that let an organisation see this household, named, for the applicant's pages (read by a
    statement built once: the household's page shows them at every first view)."""
    return rows_with(BY_NAME, "household", household.pk)


def share_with(household: Household, organisation: Organisation) -> bool:
    """The applicant lets an NGO see and help with their household; sharing twice changes nothing."""
    with transaction.atomic():
        _link, created = OrganisationHousehold.objects.get_or_create(
            organisation=organisation, household=household, defaults={"reason": OrganisationHousehold.Reason.SHARED}
        )
        if created:
            record(None, AuditAction.SHARE_HOUSEHOLD, household, organisation=organisation.name)
    return created


def stop_sharing(household: Household, organisation: Organisation) -> bool:
    """The applicant stops an NGO seeing their household, whoever registered it; stopping twice changes nothing."""
    with transaction.atomic():
        removed, _kinds = OrganisationHousehold.objects.filter(organisation=organisation, household=household).delete()
        if removed:
            record(None, AuditAction.STOP_SHARING, household, organisation=organisation.name)
    return bool(removed)
