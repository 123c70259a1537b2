from django.urls import path

from . import views

app_name = "surveys"
c = "processes/<slug:process_slug>/c/<int:component_id>/"
s = "staff/processes/<slug:process_slug>/c/<int:component_id>/survey/"
urlpatterns = [
    path(c + "survey/", views.survey_detail, name="detail"),
    path(c + "survey/results/", views.survey_results, name="results"),
    path(c + "survey/results.csv", views.results_csv, name="results_csv"),
    path(s, views.survey_edit, name="edit"),
    path(s + "questions/new/", views.question_new, name="question_new"),
    path(s + "questions/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path(s + "questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path(s + "questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path(s + "offline/", views.offline_answer, name="offline"),
    path(s + "responses.csv", views.responses_csv, name="responses_csv"),
]
