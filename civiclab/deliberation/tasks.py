"""Background work of opinion mapping. With the immediate backend the task runs right after the commit
that enqueued it; with a worker backend, in the worker. Either way no page waits for a recompute."""

import logging

from django_tasks import task

from .models import Conversation

logger = logging.getLogger(__name__)


@task()
def recompute_report(conversation_id: int) -> float | None:
    """Recomputes the map of a conversation and returns the seconds the math took."""
    from .actions import do_recompute_report

    conversation = Conversation.objects.select_related("city").filter(pk=conversation_id).first()
    if conversation is None:
        return None
    try:
        return do_recompute_report(conversation).seconds
    except Exception:
        # Release the claim so that a later vote asks again, and let the backend record the failure.
        Conversation.objects.filter(pk=conversation_id).update(recompute_requested_at=None)
        logger.exception("opinion map recompute failed for conversation %s", conversation_id)
        raise
