"""Who may run meetings, per city role. Registering is open to every signed-in person while a
meeting takes registrations (`registration_refusal`), not a `has_perm` rule (a network admin registers
like anyone else)."""

import rules

from civiclab.cities.rules import is_city_admin, is_city_moderator

# City admins plan meetings; admins and moderators (who run them on the ground) write the report,
# count attendance and see who registered.
rules.add_perm("events.change_meeting", is_city_admin)
rules.add_perm("events.report_meeting", is_city_admin | is_city_moderator)


def registration_refusal(user, meeting, now=None) -> str | None:
    if meeting.capacity is None:
        return "no_registration"
    if not meeting.registration_open(now):
        return "closed"
    if not user.is_authenticated:
        return "sign_in"
    return None
