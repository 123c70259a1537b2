from django.urls import path

from . import views

network_admin_urls = [
    path("", views.network_cities, name="cities"),
    path("new/", views.network_city_new, name="city_new"),
    path("<slug:city_slug>/edit/", views.network_city_edit, name="city_edit"),
]

city_urls = [
    path("", views.city_home, name="home"),
    path("theme.css", views.city_theme, name="theme"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/members/", views.staff_members, name="staff_members"),
    path("staff/members/<int:membership_id>/revoke/", views.staff_member_revoke, name="staff_member_revoke"),
    path("staff/audit/", views.staff_audit, name="staff_audit"),
]
