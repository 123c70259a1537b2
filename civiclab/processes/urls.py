from django.urls import path

from . import views

app_name = "processes"
urlpatterns = [
    path("processes/<slug:process_slug>/", views.process_detail, name="detail"),
    path("staff/processes/new/", views.process_new, name="new"),
    path("staff/processes/<slug:process_slug>/edit/", views.process_edit, name="edit"),
]
