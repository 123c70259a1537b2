from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("conversations/<slug:conversation_slug>/", views.conversation_detail, name="detail"),
    path("conversations/<slug:conversation_slug>/vote/", views.vote, name="vote"),
    path("conversations/<slug:conversation_slug>/statements/new/", views.statement_new, name="statement_new"),
    path("conversations/<slug:conversation_slug>/report/", views.conversation_report, name="report"),
    path("staff/conversations/", views.staff_conversations, name="staff_list"),
    path("staff/conversations/new/", views.conversation_new, name="new"),
    path("staff/conversations/import/", views.import_conversation, name="import"),
    path("staff/conversations/<slug:conversation_slug>/edit/", views.conversation_edit, name="edit"),
    path("staff/conversations/<slug:conversation_slug>/moderation/", views.moderation, name="moderation"),
    path("staff/conversations/<slug:conversation_slug>/export/", views.export, name="export"),
]
