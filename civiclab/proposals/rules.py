"""Who may do what with proposals, comments, debates and moderation: role x phase.

Staff permissions are checked against the city (as `staff_view` does). Residents' permissions are checked
against the component, proposal or debate, because they depend on the phase being open, on the
component's settings and on whether the person is blocked in that city."""

import rules

from civiclab.cities.rules import is_city_admin, is_city_evaluator, is_city_moderator, is_city_staff


def component_of(obj):
    if hasattr(obj, "phase_id"):
        return obj
    if hasattr(obj, "debate_id"):
        return obj.debate.component
    return obj.component


def blocked_in(user, city_id: int) -> bool:
    if not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_civiclab_blocked", {})
    if city_id not in cache:
        from .models import Block

        cache[city_id] = Block.objects.filter(city_id=city_id, user=user).exists()
    return cache[city_id]


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated)


@rules.predicate
def is_blocked(user, obj) -> bool:
    return blocked_in(user, obj.city_id)


@rules.predicate
def phase_is_open(user, obj) -> bool:
    return component_of(obj).is_open()


def _setting(name: str):
    @rules.predicate(name=f"setting_{name}")
    def enabled(user, obj) -> bool:
        return bool(component_of(obj).settings.get(name, True))

    return enabled


@rules.predicate
def debate_is_open(user, debate) -> bool:
    return debate.closed_at is None


@rules.predicate
def is_visible(user, obj) -> bool:
    return obj.hidden_at is None


may_post = is_signed_in & ~is_blocked & phase_is_open

# Residents, while the phase runs (and not blocked in the city):
rules.add_perm("proposals.submit_proposal", may_post)
rules.add_perm("proposals.support_proposal", may_post & _setting("supports_enabled") & is_visible)
rules.add_perm("proposals.comment", may_post & _setting("comments_enabled"))
rules.add_perm("proposals.amend_proposal", may_post & _setting("amendments_enabled") & is_visible)
rules.add_perm("proposals.endorse_proposal", may_post & _setting("endorsements_enabled") & is_visible)
rules.add_perm("proposals.add_argument", may_post & debate_is_open & is_visible)
# Reporting is open to anyone signed in, at any time (rate-limited in the action).
rules.add_perm("proposals.report", is_signed_in)

# Staff, per city, in any phase:
rules.add_perm("proposals.answer_proposal", is_city_admin | is_city_evaluator)
rules.add_perm("proposals.moderate", is_city_admin | is_city_moderator)
rules.add_perm("proposals.record_offline", is_city_staff)
rules.add_perm("proposals.manage_debates", is_city_admin)
rules.add_perm("proposals.change_moderation_settings", is_city_admin)
