"""The operators' admin page for staff authenticator apps (django-otp's TOTP devices), in the
reader's language: django-otp names its model, fields, sections and columns with plain English
strings no catalogue can translate, and the admin is a staff page. Unknown ids answer 404, not 500."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import AuthenticatorApp

LABELS = {
    "user": (_("Staff member"), _("The staff member whose authenticator app this is.")),
    "name": (_("Name"), _("A name to tell this authenticator app apart.")),
    "confirmed": (_("Ready"), _("Codes from this app are accepted.")),
}


class DeviceAdmin(TOTPDeviceAdmin):
    """Only what an operator needs (whose app, ready or not, when used, its QR code), named in
    words of our own; django-otp's views then look the device up with .get(), a 500 for a stale id."""

    list_display = ["owner", "app_name", "ready", "last_used"]
    list_filter: list[str] = []
    search_help_text = None
    readonly_fields = ["set_up_on", "last_used", "qrcode_link"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["user", "name", "confirmed"]}),
            (_("When"), {"fields": ["set_up_on", "last_used"]}),
        ]
        return fieldsets + ([(None, {"fields": ["qrcode_link"]})] if obj else [])

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in LABELS:
            field.label, field.help_text = LABELS[db_field.name]
        return field

    @admin.display(description=_("Staff member"), ordering="user__username")
    def owner(self, device: TOTPDevice) -> str:
        return str(device.user)

    @admin.display(description=_("Name"), ordering="name")
    def app_name(self, device: TOTPDevice) -> str:
        return device.name

    @admin.display(description=_("Ready"), boolean=True, ordering="confirmed")
    def ready(self, device: TOTPDevice) -> bool:
        return device.confirmed

    @admin.display(description=_("Set up on"))
    def set_up_on(self, device: TOTPDevice):
        return device.created_at

    @admin.display(description=_("Last used"), ordering="last_used_at")
    def last_used(self, device: TOTPDevice):
        return device.last_used_at

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device: TOTPDevice) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:otp_totp_totpdevice_config", args=[device.pk]), _("Show")
        )

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


admin.site.unregister(TOTPDevice)
admin.site.register(AuthenticatorApp, DeviceAdmin)
