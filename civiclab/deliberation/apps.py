from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _forget_conversation(sender, instance, **kwargs):
    from .selectors import forget_conversation

    forget_conversation(instance)


def _forget_statements(sender, instance, **kwargs):
    from .selectors import forget, statements_cache_key

    forget(statements_cache_key(instance.conversation_id))


class DeliberationConfig(AppConfig):
    name = "civiclab.deliberation"
    label = "deliberation"

    def ready(self):
        # The vote reads the rules and the accepted statements of a conversation from the cache
        # (selectors.py): every save or delete of either forgets them.
        from .models import Conversation, Statement

        for signal in (post_save, post_delete):
            signal.connect(_forget_conversation, sender=Conversation, dispatch_uid="deliberation-conv")
            signal.connect(_forget_statements, sender=Statement, dispatch_uid="deliberation-stmt")
