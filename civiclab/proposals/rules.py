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


def author_ids(proposal) -> set[int]:
    """The author and the co-authors who accepted, kept on the object for the request (the proposal
    page fills it from the co-authors it reads anyway, so its permission checks cost no query)."""
    ids = proposal.__dict__.get("_civiclab_author_ids")
    if ids is None:
        from .models import CoAuthorship

        ids = set(
            CoAuthorship.objects.filter(
                proposal_id=proposal.pk, user__isnull=False, accepted_at__isnull=False
            ).values_list("user_id", flat=True)
        )
        if proposal.author_id:
            ids.add(proposal.author_id)
        proposal.__dict__["_civiclab_author_ids"] = ids
    return ids


@rules.predicate
def is_proposal_author(user, proposal) -> bool:
    return bool(user.is_authenticated and proposal.author_id == user.pk)


@rules.predicate
def is_author_or_coauthor(user, proposal) -> bool:
    return bool(user.is_authenticated and user.pk in author_ids(proposal))


@rules.predicate
def not_withdrawn(user, proposal) -> bool:
    return proposal.withdrawn_at is None


@rules.predicate
def has_no_supports(user, proposal) -> bool:
    return proposal.supports_count == 0


@rules.predicate
def has_no_answer(user, proposal) -> bool:
    return not proposal.answer_state


# "Evaluating" is not final: the authors may still withdraw while staff look at it.
FINAL_ANSWERS = ("accepted", "rejected", "merged")


@rules.predicate
def has_no_final_answer(user, proposal) -> bool:
    return proposal.answer_state not in FINAL_ANSWERS


may_post = is_signed_in & ~is_blocked & phase_is_open

# Residents, while the phase runs (and not blocked in the city):
rules.add_perm("proposals.submit_proposal", may_post)
rules.add_perm(
    "proposals.support_proposal", may_post & _setting("supports_enabled") & is_visible & not_withdrawn
)
# Taking one's own support back follows the phase like supporting; it is not posting, so a person
# blocked in the city may do it too. (The view also needs a support of theirs given online.)
rules.add_perm("proposals.withdraw_support", is_signed_in & phase_is_open & _setting("supports_enabled"))
rules.add_perm("proposals.comment", may_post & _setting("comments_enabled"))
rules.add_perm(
    "proposals.amend_proposal", may_post & _setting("amendments_enabled") & is_visible & not_withdrawn
)
rules.add_perm(
    "proposals.endorse_proposal", may_post & _setting("endorsements_enabled") & is_visible & not_withdrawn
)
# Its authors, while the phase accepts proposals and nobody relies on the text yet (as in Decidim):
rules.add_perm(
    "proposals.edit_proposal",
    may_post & is_author_or_coauthor & is_visible & not_withdrawn & has_no_supports & has_no_answer,
)
# The author alone, in any phase, until a final answer; it cannot be undone.
rules.add_perm("proposals.withdraw_proposal", is_proposal_author & not_withdrawn & has_no_final_answer)
rules.add_perm("proposals.add_argument", may_post & debate_is_open & is_visible)
# Reporting is open to anyone signed in, at any time (rate-limited in the action).
rules.add_perm("proposals.report", is_signed_in)

# Staff, per city, in any phase:
rules.add_perm("proposals.answer_proposal", is_city_admin | is_city_evaluator)
rules.add_perm("proposals.moderate", is_city_admin | is_city_moderator)
rules.add_perm("proposals.record_offline", is_city_staff)
rules.add_perm("proposals.manage_debates", is_city_admin)
rules.add_perm("proposals.change_moderation_settings", is_city_admin)
