from django.urls import path

from . import views

app_name = "events"
c = "processes/<slug:process_slug>/c/<int:component_id>/meetings/"
m = c + "<int:meeting_id>/"
s = "staff/processes/<slug:process_slug>/c/<int:component_id>/meetings/"
urlpatterns = [
    path("meetings/", views.calendar, name="calendar"),
    path("meetings/calendar.ics", views.calendar_ics, name="calendar_ics"),
    path(c, views.component_page, name="component"),
    path(m, views.meeting_detail, name="detail"),
    path(m + "meeting.ics", views.meeting_ics, name="meeting_ics"),
    path(m + "register/", views.register, name="register"),
    path(m + "cancel/", views.cancel, name="cancel"),
    path(s + "new/", views.meeting_new, name="new"),
    path(s + "<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path(s + "<int:meeting_id>/report/", views.meeting_report, name="report"),
    path(s + "<int:meeting_id>/photos/", views.meeting_photo, name="photo"),
]
