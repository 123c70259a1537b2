from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

NOTIFICATION_KINDS = {
    "proposals.answered": _("The proposal “%(title)s” received an answer: %(state)s"),
    "proposals.amendment": _("Someone proposed a change to “%(title)s”"),
    "proposals.coauthor_invited": _("You are invited to write “%(title)s” together"),
    "proposals.debate_closed": _("The debate “%(title)s” is closed with a conclusion"),
    "proposals.hidden": _("Your contribution was hidden by the moderators: %(reason)s"),
    "proposals.withdrawn": _("The proposal “%(title)s” was withdrawn by its author"),
}


class ProposalsConfig(AppConfig):
    name = "civiclab.proposals"
    label = "proposals"

    def ready(self):
        from civiclab.processes import components
        from civiclab.processes.models import ComponentKind

        from .forms import DebatesSettingsForm, ProposalsSettingsForm

        components.register(
            components.ComponentType(
                kind=ComponentKind.PROPOSALS,
                url_name="proposals:list",
                settings_form=ProposalsSettingsForm,
                defaults=ProposalsSettingsForm.DEFAULTS,
            )
        )
        components.register(
            components.ComponentType(
                kind=ComponentKind.DEBATES,
                url_name="proposals:debates",
                settings_form=DebatesSettingsForm,
                defaults=DebatesSettingsForm.DEFAULTS,
            )
        )
        # A KPI the accountability app records for each city (see proposals/kpis.py).
        if apps.is_installed("civiclab.accountability"):
            from civiclab.accountability.calculators import register_calculator

            from .kpis import answered_within_90_days_share

            register_calculator("proposals_answered_90d", answered_within_90_days_share)
        # Follows and notifications come from the notifications app; until it is installed, nothing is sent.
        if apps.is_installed("civiclab.notifications"):
            from civiclab.notifications.kinds import register_kind
            from civiclab.notifications.registry import register_followable

            from .selectors import followable_debate, followable_proposal

            for kind, message in NOTIFICATION_KINDS.items():
                register_kind(kind, message)
            register_followable("proposals.proposal", followable_proposal)
            register_followable("proposals.debate", followable_debate)
