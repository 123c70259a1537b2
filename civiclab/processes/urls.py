from django.urls import path

from . import views

app_name = "processes"
urlpatterns = [
    path("processes/<slug:process_slug>/", views.process_detail, name="detail"),
    path("staff/processes/new/", views.process_new, name="new"),
    path("staff/processes/<slug:process_slug>/edit/", views.process_edit, name="edit"),
    path("staff/processes/<slug:process_slug>/components/", views.component_list, name="components"),
    path(
        "staff/processes/<slug:process_slug>/components/<int:component_id>/",
        views.component_edit,
        name="component_edit",
    ),
]
