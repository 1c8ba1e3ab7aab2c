"""Admin pages the staff app changes: the authenticator devices answer 404, not 500, for an unknown device."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class DeviceAdmin(TOTPDeviceAdmin):
    """django-otp's own views look the device up with .get(): a stale or typed id would be a 500."""

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, DeviceAdmin)
