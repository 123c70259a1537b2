from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "civiclab.events"
    label = "events"

    def ready(self):
        from civiclab.processes import components
        from civiclab.processes.models import ComponentKind

        components.register(
            components.ComponentType(kind=ComponentKind.MEETINGS, url_name="events:component")
        )
        from civiclab.notifications.kinds import register_kind
        from civiclab.notifications.registry import register_followable

        from .selectors import get_meeting_by_pk_for

        register_followable("events.meeting", get_meeting_by_pk_for)
        register_kind(
            "events.changed", _("“%(title)s” has changed: it now starts on %(date)s. Check the details.")
        )
        register_kind("events.reported", _("The minutes of “%(title)s” are published."))
        register_kind(
            "events.promoted",
            _("A place is free for you at “%(title)s” on %(date)s: you are registered."),
        )
