"""Ports of entry and what the daily allocation needs to know about them."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Enter a time zone name such as America/Chicago.")) from None


class Port(models.Model):
    """A land port of entry where households present themselves at their appointment."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    mexican_city = models.CharField(max_length=100, help_text="The city on the Mexican side.")
    address = models.CharField(max_length=200)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    opens_at = models.TimeField(default=dt.time(8, 0))
    closes_at = models.TimeField(default=dt.time(17, 0))
    daily_capacity = models.PositiveIntegerField(help_text="People per day.")
    window_minutes = models.PositiveSmallIntegerField(default=30)
    grace_minutes = models.PositiveSmallIntegerField(
        default=60, help_text="How late a household may check in and keep its appointment."
    )
    accepts_requests = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError(_("The port must close after it opens."))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)
