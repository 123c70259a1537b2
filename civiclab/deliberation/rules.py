"""Who may run, moderate and take part in opinion-mapping conversations."""

import rules
from django.db.models import Q

from civiclab.cities.rules import is_city_admin, is_city_moderator, is_city_staff, is_network_admin

from .models import Participation

# City admins open and shape conversations; moderators (and admins) accept or reject statements; every
# staff role can see unpublished conversations and download exports to prepare their work.
rules.add_perm("deliberation.add_conversation", is_city_admin)
rules.add_perm("deliberation.change_conversation", is_city_admin)
rules.add_perm("deliberation.moderate_conversation", is_city_admin | is_city_moderator)
rules.add_perm("deliberation.export_conversation", is_city_staff)
rules.add_perm("deliberation.view_unpublished", is_city_staff)
# The list of conversations in the staff area: anyone who can do one of the above.
rules.add_perm("deliberation.view_conversations", is_city_staff | is_network_admin)


def has_verified_email(user) -> bool:
    from allauth.account.models import EmailAddress

    # Cached on the user object for the request: the vote and the page both ask.
    cached = user.__dict__.get("_civiclab_verified")
    if cached is None:
        cached = EmailAddress.objects.filter(Q(user=user) & Q(verified=True)).exists()
        user.__dict__["_civiclab_verified"] = cached
    return cached


def participation_refusal(user, conversation) -> str | None:
    """Why `user` may not take part in `conversation`, or None when they may.

    Not a `has_perm` rule on purpose: a network admin passes every `has_perm`, but takes part in a
    residents-only conversation only if they live in that city, like anyone else."""
    authenticated = bool(user is not None and user.is_authenticated)
    if conversation.participation == Participation.LINK:
        return None
    if not authenticated:
        return "sign_in"
    if conversation.participation == Participation.RESIDENTS and user.home_city_id != conversation.city_id:
        return "not_resident"
    if conversation.participation == Participation.VERIFIED and not has_verified_email(user):
        return "not_verified"
    return None
