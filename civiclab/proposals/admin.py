from django.contrib import admin

from civiclab.core.admin import ReadOnlyAdmin

from .models import Comment, Debate, Proposal


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ["title", "city", "answer_state", "supports_count", "comments_count", "created_at"]
    list_filter = ["city", "answer_state"]


@admin.register(Debate)
class DebateAdmin(ReadOnlyAdmin):
    list_display = ["title", "city", "closed_at"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "city", "proposal", "argument", "created_at"]
