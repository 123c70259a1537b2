from django.contrib import admin

from civiclab.core.admin import ReadOnlyAdmin

from .models import Process


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ["title", "city", "published", "created_at"]
    list_filter = ["city", "published"]
