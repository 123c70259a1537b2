"""Who may build, answer and read surveys, per city role and phase.

Answering is not a `has_perm` rule: a network admin passes every `has_perm`, but answers a survey like
anyone else (see `answer_refusal`)."""

import rules

from civiclab.cities.rules import is_city_admin, is_city_moderator, is_city_staff

# City admins build surveys; every staff role reads free-text answers and the raw export; front-desk
# staff (admins, moderators) type answers given at a kiosk, by phone or on paper.
rules.add_perm("surveys.change_survey", is_city_admin)
rules.add_perm("surveys.view_answers", is_city_staff)
rules.add_perm("surveys.record_offline", is_city_admin | is_city_moderator)


def answer_refusal(user, survey, now=None) -> str | None:
    """Why `user` may not answer `survey` now, or None when they may."""
    from .selectors import has_answered

    if survey is None or not survey.questions.exists():
        return "not_ready"
    if not survey.component.is_open(now):
        return "closed"
    if not user.is_authenticated:
        return "sign_in"
    if has_answered(survey, user):
        return "answered"
    return None


def may_see_results(user, survey, now=None) -> bool:
    from .selectors import results_published

    return results_published(survey, now) or user.has_perm("surveys.view_answers", survey.city)
