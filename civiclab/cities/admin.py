from django.contrib import admin

from civiclab.core.admin import ReadOnlyAdmin

from .models import City, Membership


@admin.register(City)
class CityAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "country", "population", "custom_domain"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["city", "user", "role", "created_at"]
    list_filter = ["city", "role"]
