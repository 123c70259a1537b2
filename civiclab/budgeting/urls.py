from django.urls import path

from . import views

app_name = "budgeting"
b = "budgets/<slug:budget_slug>/"
s = "staff/budgets/<slug:budget_slug>/"
urlpatterns = [
    path(b, views.budget_detail, name="detail"),
    path(b + "projects/new/", views.project_new, name="project_new"),
    path(b + "projects/<int:project_id>/", views.project_detail, name="project"),
    path(b + "projects/<int:project_id>/reply/", views.project_reply, name="project_reply"),
    path(b + "vote/", views.vote, name="vote"),
    path(b + "verify/", views.verify, name="verify"),
    path(b + "receipt/", views.receipt, name="receipt"),
    path(b + "check/", views.check, name="check"),
    path(b + "results/", views.results, name="results"),
    path(b + "ballots.pb", views.ballots_file, name="ballots"),
    path("staff/budgets/", views.staff_budgets, name="staff_list"),
    path("staff/budgets/new/", views.budget_new, name="new"),
    path(s + "edit/", views.budget_edit, name="edit"),
    path(s + "projects/<int:project_id>/review/", views.project_review, name="review"),
    path(s + "census/", views.census_upload, name="census"),
    path(s + "letters/", views.letter_codes, name="letters"),
    path(s + "verify/", views.verify_in_person, name="verify_in_person"),
    path(s + "paper/voters/", views.paper_voter, name="paper_voter"),
    path(s + "paper/", views.paper_entry, name="paper"),
    path(s + "paper/review/", views.paper_review, name="paper_review"),
    path(s + "count/", views.count, name="count"),
]
