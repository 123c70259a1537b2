from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_home, name="home"),
    path("consents/", views.consent_change, name="consent"),
    path("export/", views.export_data, name="export"),
    path("delete/", views.erase_account, name="erase"),
]
