from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "civiclab.accountability"
    label = "accountability"

    def ready(self) -> None:
        from civiclab.notifications.kinds import register_kind
        from civiclab.notifications.registry import register_followable

        from . import calculators
        from .selectors import get_result_for

        calculators.register_builtins()
        register_kind(
            "accountability.delivered",
            _("“%(title)s” is delivered. Was it delivered as promised? How well does it work?"),
        )
        register_kind("accountability.answered", _("The city answered your feedback on “%(title)s”."))
        register_followable("accountability.result", get_result_for)
