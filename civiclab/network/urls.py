from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifestos/<slug:slug>/", views.manifesto_detail, name="manifesto"),
    path("privacy/", views.privacy, name="privacy"),
]
