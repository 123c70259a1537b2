from django.urls import path

from . import views

app_name = "accountability"
r = "staff/results/<int:result_id>/"
k = "staff/kpis/<slug:code>/"
urlpatterns = [
    path("results/", views.results, name="results"),
    path("results/export.<str:fmt>", views.results_export, name="results_export"),
    path("results/<int:result_id>/", views.result_detail, name="result"),
    path("results/<int:result_id>/feedback/", views.result_feedback, name="feedback"),
    path("results/documents/<int:document_id>/", views.document, name="document"),
    path("kpis/", views.dashboard, name="dashboard"),
    path("kpis/export.<str:fmt>", views.kpis_export, name="kpis_export"),
    path("kpis/<slug:code>/", views.kpi_detail, name="kpi"),
    path("staff/results/", views.staff_results, name="staff_results"),
    path("staff/results/new/", views.result_new, name="result_new"),
    path("staff/results/from-budget/", views.from_budget, name="from_budget"),
    path("staff/results/from-proposals/", views.from_proposals, name="from_proposals"),
    path("staff/results/settings/", views.threshold, name="threshold"),
    path("staff/results/statuses/", views.status_new, name="status_new"),
    path("staff/results/import/", views.results_import, name="results_import"),
    path("staff/results/feedback/", views.feedback_queue, name="feedback_queue"),
    path("staff/results/feedback/<int:feedback_id>/answer/", views.feedback_answer, name="feedback_answer"),
    path(r + "edit/", views.result_edit, name="result_edit"),
    path(r + "milestones/", views.result_milestones, name="result_milestones"),
    path(r + "updates/new/", views.result_update, name="result_update"),
    path(r + "findings/", views.result_findings, name="result_findings"),
    path("staff/kpis/", views.staff_kpis, name="staff_kpis"),
    path("staff/kpis/adopt/", views.kpi_adopt, name="kpi_adopt"),
    path("staff/kpis/new/", views.kpi_new, name="kpi_new"),
    path("staff/kpis/refresh/", views.kpis_refresh, name="kpis_refresh"),
    path(k + "propose/", views.kpi_propose, name="kpi_propose"),
    path(k + "measurements/", views.measurements, name="measurements"),
    path(k + "edit/", views.adoption_edit, name="adoption_edit"),
    path("staff/api-tokens/", views.tokens, name="tokens"),
    path("staff/api-tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("staff/practices/new/", views.practice_new, name="practice_new"),
    path("staff/practices/<slug:slug>/replicate/", views.practice_replicate, name="practice_replicate"),
    path("staff/practices/<slug:slug>/comment/", views.practice_comment, name="practice_comment"),
]
