from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("account/notifications/", views.notification_list, name="list"),
    path("<slug:city_slug>/follow/", views.follow, name="follow"),
]
