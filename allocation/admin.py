from django.contrib import admin

from allocation.models import Port


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = ["name", "mexican_city", "daily_capacity", "opens_at", "closes_at", "time_zone", "accepts_requests"]
