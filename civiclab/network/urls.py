from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifestos/<slug:slug>/", views.manifesto_detail, name="manifesto"),
    path("privacy/", views.privacy, name="privacy"),
    # accountability (issue 6): KPI catalogue, comparisons and the practice library
    path("network/kpis/", views.kpi_catalogue, name="kpis"),
    path("network/kpis/<slug:code>/", views.kpi_compare, name="kpi"),
    path("network/kpi-proposals/", views.kpi_proposals, name="kpi_proposals"),
    path("network/practices/", views.practice_list, name="practices"),
    path("network/practices/<slug:slug>/", views.practice_detail, name="practice"),
]
