from django.contrib import admin

from civiclab.core.admin import ReadOnlyAdmin

from .models import Conversation, Statement


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ["topic", "city", "published", "participation", "moderation", "created_at"]
    list_filter = ["city", "published"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["tid", "conversation", "status", "is_meta", "created_at"]
    list_filter = ["status", "is_meta"]
