"""Applicants, their households and members, and the NGOs a household lets see it."""

import datetime as dt

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shared.encryption import EncryptedCharField, EncryptedDateField, EncryptedTextField, blind_index
from shared.models import Port


class Place(models.Model):
    """A Mexican city or town from the gazetteer: where an applicant can say they are now."""

    state_code = models.CharField(max_length=8)
    state_name = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["state_name", "name"]
        constraints = [models.UniqueConstraint(fields=["state_code", "name"], name="unique_place_per_state")]

    def __str__(self) -> str:
        return f"{self.name}, {self.state_name}"


class RequestRegionQuerySet(models.QuerySet):
    def accepting(self, day: "dt.date | None" = None) -> "RequestRegionQuerySet":
        """Regions requests are accepted from on `day` (today by default)."""
        from django.utils import timezone

        return self.filter(accepted_since__isnull=False, accepted_since__lte=day or timezone.localdate())


class RequestRegion(models.Model):
    """A Mexican state from which requests are accepted, and since when (the geofence)."""

    state_code = models.CharField(max_length=8, unique=True)
    state_name = models.CharField(max_length=64)
    accepted_since = models.DateField(null=True, blank=True, help_text="Empty: requests not accepted from here.")
    note = models.CharField(max_length=200, blank=True)

    objects = RequestRegionQuerySet.as_manager()

    class Meta:
        ordering = ["state_name"]

    def __str__(self) -> str:
        return self.state_name


class Applicant(models.Model):
    """Someone who signs in. The address is a phone (+digits) or an email; null when an NGO
    registered a person who has no phone yet (they sign in with a recovery code)."""

    address = EncryptedCharField(max_length=254, null=True, blank=True)
    # Blind index of the address: how sign-in finds the account without a readable phone in the database.
    address_index = models.CharField(max_length=64, unique=True, null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    last_signin_at = models.DateTimeField(null=True, blank=True)
    # Stamped on each session at sign-in; raising it ends every session with an older stamp at once,
    # checked on the row the request loads anyway (no extra query).
    session_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Applicant {self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.address_index = self.index_of(self.address) if self.address else None
        if kwargs.get("update_fields") and "address" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "address_index"}
        super().save(*args, **kwargs)

    @staticmethod
    def index_of(address: str) -> str:
        return blind_index("address", address)


class SigninCode(models.Model):
    """A one-time code sent to an address. Only its hash is kept."""

    class Purpose(models.TextChoices):
        SIGNIN = "signin"
        MOVE = "move"

    address_index = models.CharField(max_length=64, db_index=True, default="")
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.SIGNIN)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    # The keyed hash of a token kept in the session that asked for the code: only there does it work.
    session_hash = models.CharField(max_length=64, default="")
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in code {self.pk}"


class AccountSession(AbstractBaseSession):
    """Django's session row with the signed-in applicant beside its data (SESSION_ENGINE is
    registrations.session_store): ApplicantMiddleware reads the session, the applicant and the household
    in one query. Staff and visitors' sessions leave it empty."""

    applicant = models.ForeignKey(Applicant, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from registrations.session_store import SessionStore

        return SessionStore


class RecoveryCode(models.Model):
    """One of the codes written down on paper; each signs in once."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"


class SecurityAlert(models.Model):
    """Strangers trying someone's sign-in: shown to operators on the security page."""

    class Kind(models.TextChoices):
        CODES = "codes", _("Many codes asked for one phone or email")
        RECOVERY = "recovery", _("Many wrong recovery codes for one household")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    household_reference = models.CharField(max_length=16, blank=True)
    masked_address = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class HouseholdQuerySet(models.QuerySet):
    def waiting(self) -> "HouseholdQuerySet":
        return self.filter(status=Household.Status.WAITING)

    def active(self) -> "HouseholdQuerySet":
        return self.exclude(status=Household.Status.CLOSED)


class Household(models.Model):
    """Everyone who travels together. Appointments are always for the whole household."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Appointment offered")
        CONFIRMED = "confirmed", _("Appointment confirmed")
        CHECKED_IN = "checked_in", _("Checked in")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=16, unique=True)
    applicant = models.OneToOneField(Applicant, on_delete=models.PROTECT, related_name="household", null=True)
    # The household's priority: set once at registration, never changed afterwards.
    registered_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    # Member count kept beside the members so allocation reads one narrow table.
    size = models.PositiveSmallIntegerField(default=0)
    current_place = models.ForeignKey(Place, on_delete=models.PROTECT)
    preferred_port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="households")
    contact_phone = EncryptedCharField(max_length=20, blank=True)
    contact_email = EncryptedCharField(max_length=254, blank=True)
    # Blind indexes: operators see when many households give the same phone or email.
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    contact_email_index = models.CharField(max_length=64, blank=True, db_index=True)
    language = models.CharField(max_length=10, default="en")
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by database triggers whenever this row, one of its members, appointments or organisation links
    # changes, however it is changed (bulk updates and raw SQL too): a kept status page made at an older
    # version is never shown (allocation.status_page, migration 0015). Whatever Django writes here is replaced.
    page_version = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)
    # Set when the personal data was erased: the row stays as an anonymous tombstone for statistics.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "preferred_port", "registered_at"], name="household_pool")]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs) -> None:
        self.index_contacts()
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "contact_phone_index", "contact_email_index"}
        super().save(*args, **kwargs)

    def index_contacts(self) -> None:
        """Keep the contact blind indexes in step with the contacts: save() does it, and so must any
        insert that goes around save() (registrations.households)."""
        self.contact_phone_index = blind_index("address", self.contact_phone) if self.contact_phone else ""
        self.contact_email_index = blind_index("address", self.contact_email) if self.contact_email else ""

    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def can_change_members(self) -> bool:
        """Change or remove people only while waiting: an appointment is made for the people it names."""
        return self.status == self.Status.WAITING

    @property
    def can_add_members(self) -> bool:
        """A person may join after an offer: they join the appointment or the household is rescheduled whole."""
        return self.status in (self.Status.WAITING, self.Status.OFFERED, self.Status.CONFIRMED)


class Member(models.Model):
    """One person in a household. A person may be in only one active household."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Another answer or prefer not to say")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        PARTNER = "partner", _("Husband, wife or partner")
        CHILD = "child", _("Son or daughter")
        PARENT = "parent", _("Mother or father")
        SIBLING = "sibling", _("Brother or sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER_RELATIVE = "relative", _("Other relative")
        OTHER = "other", _("Not related")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    given_names = EncryptedCharField(max_length=100)
    family_names = EncryptedCharField(max_length=100)
    date_of_birth = EncryptedDateField()
    nationality = models.CharField(max_length=2)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    languages = EncryptedCharField(max_length=200, blank=True)
    needs = EncryptedTextField(max_length=1000, blank=True)
    # HMAC of the normalised name, birth date and nationality (see registrations.persons).
    person_key = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_key"], condition=Q(is_active=True), name="one_active_household_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_names}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}"


class VulnerabilityRequest(models.Model):
    """A request for the reserved share, made by the household or an NGO, decided by an operator."""

    class Category(models.TextChoices):
        MEDICAL_EMERGENCY = "medical", _("Medical emergency")
        ILLNESS_OR_DISABILITY = "illness", _("Serious illness or disability")
        LATE_PREGNANCY = "pregnancy", _("Late pregnancy")
        INFANT = "infant", _("Baby under one year old")
        TRAFFICKING = "trafficking", _("Victim of trafficking")
        IMMINENT_THREAT = "threat", _("Danger to life or safety now")
        UNACCOMPANIED_CHILD = "child", _("Child travelling alone")

    class Urgency(models.IntegerChoices):
        CRITICAL = 1, _("Critical: days matter")
        HIGH = 2, _("High: weeks matter")
        ELEVATED = 3, _("Raised")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="vulnerability_requests")
    category = models.CharField(max_length=12, choices=Category.choices)
    description = EncryptedTextField(max_length=1000)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.get_status_display()})"


class Organisation(models.Model):
    """An NGO whose staff help people register and ask for help."""

    name = models.CharField(max_length=200, unique=True)
    city = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "staff_organisation"  # moved from the staff app; the table kept its name

    def __str__(self) -> str:
        return self.name


class OrganisationHousehold(models.Model):
    """An organisation may see a household it registered, or one the applicant shared with it."""

    class Reason(models.TextChoices):
        REGISTERED = "registered", _("Registered by this organisation")
        SHARED = "shared", _("Shared by the household")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="household_links")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="organisation_links")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "household"], name="one_link_per_org_household")]
        db_table = "staff_organisationhousehold"

    def __str__(self) -> str:
        return f"{self.organisation} – household {self.household_id}"
