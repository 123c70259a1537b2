from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "civiclab.accountability"
    label = "accountability"

    def ready(self) -> None:
        from . import calculators, notify

        calculators.register_builtins()
        notify.register(
            "accountability.delivered",
            _("“%(title)s” is delivered. Was it delivered as promised? How well does it work?"),
        )
        notify.register("accountability.answered", _("The city answered your feedback on “%(title)s”."))
