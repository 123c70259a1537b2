from django.contrib import admin

from .models import Kpi


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    """Read-only: the catalogue changes through the proposal screen and its audited action."""

    list_display = ["code", "name", "unit", "direction", "status", "city"]
    list_filter = ["status", "unit"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
