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

        register_kind(
            "events.promoted",
            _("A place is free for you at “%(title)s” on %(date)s: you are registered."),
        )
