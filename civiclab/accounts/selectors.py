from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from civiclab.core.models import AuditEvent

from .models import User


def personal_data(user: User) -> dict:
    """Everything CivicLab holds about a person, as one JSON-ready document (GDPR art. 15 and 20).

    Each app that stores personal data adds its part here; tests check that nothing is missed."""
    # accountability (issue 6)
    from civiclab.accountability.selectors import personal_data_of as accountability_personal_data
    from civiclab.budgeting.selectors import personal_data_of as budgeting_personal_data
    from civiclab.deliberation.selectors import personal_data_of as deliberation_personal_data
    from civiclab.events.selectors import personal_data_of as events_personal_data
    from civiclab.network.models import Endorsement
    from civiclab.notifications.selectors import personal_data_of as notifications_personal_data
    from civiclab.processes.models import Process
    from civiclab.proposals.selectors import personal_data_of as proposals_personal_data  # proposals
    from civiclab.surveys.selectors import personal_data_of as surveys_personal_data

    return {
        "format": "civiclab-personal-data/1",
        "account": {
            "public_id": str(user.public_id),
            "email": user.email,
            "display_name": user.display_name,
            "language": user.language,
            "home_city": user.home_city.slug if user.home_city else None,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user)
        ],
        "second_factors": [
            {
                "type": a.type,
                "created_at": a.created_at.isoformat(),
                "last_used_at": a.last_used_at.isoformat() if a.last_used_at else None,
            }
            for a in Authenticator.objects.filter(user=user)
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "version": c.version,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in user.consents.all()
        ],
        "staff_roles": [
            {"city": m.city.slug, "role": m.role, "since": m.created_at.isoformat()}
            for m in user.memberships.select_related("city")
        ],
        "endorsements": [
            {
                "manifesto": e.manifesto.slug,
                "kind": e.kind,
                "name": e.name,
                "organisation_type": e.organisation_type,
                "country": e.country.code,
                "show_name": e.show_name,
                "created_at": e.created_at.isoformat(),
            }
            for e in Endorsement.objects.filter(user=user).select_related("manifesto")
        ],
        "processes_created": [
            {"city": p.city.slug, "process": p.slug, "title": p.title}
            for p in Process.objects.filter(created_by=user).select_related("city")
        ],
        **budgeting_personal_data(user),
        **deliberation_personal_data(user),
        **notifications_personal_data(user),
        **surveys_personal_data(user),  # surveys and meetings
        **events_personal_data(user),
        **proposals_personal_data(user),  # proposals
        **accountability_personal_data(user),  # accountability (issue 6)
        "activity": [
            {
                "at": e.created_at.isoformat(),
                "action": e.action,
                "target": f"{e.target_type}:{e.target_id}",
                "city": e.city.slug if e.city else None,
            }
            for e in AuditEvent.objects.filter(actor=user).select_related("city")
        ],
    }
