from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civiclab.core import audit

from .models import Consent, Purpose, User


class ConsentError(ValueError):
    pass


@transaction.atomic
def do_create_user(
    email: str,
    password: str | None,
    *,
    display_name: str = "",
    language: str = "en",
    home_city=None,
    accept_terms: bool = False,
    superuser: bool = False,
    email_verified: bool = False,
    actor=None,
) -> User:
    """An account created by staff, the CLI or the demo. People signing up go through allauth and
    do_complete_signup instead."""
    from allauth.account.models import EmailAddress

    manager = User.objects
    create = manager.create_superuser if superuser else manager.create_user
    user = create(email, password, display_name=display_name, language=language, home_city=home_city)
    EmailAddress.objects.create(user=user, email=user.email, verified=email_verified, primary=True)
    audit.record("user.created", actor=actor or user, target=user)
    if accept_terms:
        do_give_consent(user, Purpose.TERMS)
    return user


@transaction.atomic
def do_complete_signup(
    user: User, *, display_name: str, language: str, home_city, accept_terms: bool, newsletter: bool = False
) -> None:
    if not accept_terms:
        raise ConsentError("The terms must be accepted to create an account.")
    user.display_name = display_name
    user.language = language
    user.home_city = home_city
    user.save(update_fields=["display_name", "language", "home_city"])
    audit.record("user.signed_up", actor=user, target=user)
    do_give_consent(user, Purpose.TERMS)
    if newsletter:
        do_give_consent(user, Purpose.NEWSLETTER)


@transaction.atomic
def do_update_profile(user: User, *, display_name: str, language: str, home_city) -> None:
    user.display_name = display_name
    user.language = language
    user.home_city = home_city
    user.save(update_fields=["display_name", "language", "home_city"])
    audit.record(
        "user.profile_updated",
        actor=user,
        target=user,
        language=language,
        home_city=home_city.slug if home_city else None,
    )


def active_consents(user: User) -> dict[str, Consent]:
    return {c.purpose: c for c in user.consents.filter(withdrawn_at__isnull=True)}


@transaction.atomic
def do_give_consent(user: User, purpose: str) -> Consent:
    if purpose not in Purpose.values:
        raise ConsentError(f"Unknown purpose: {purpose}")
    version = settings.CONSENT_VERSIONS[purpose]
    current = (
        Consent.objects.select_for_update().filter(user=user, purpose=purpose, withdrawn_at=None).first()
    )
    if current and current.version == version:
        return current
    if current:  # an older text: close it and record agreement to the new one
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at"])
    consent = Consent.objects.create(user=user, purpose=purpose, version=version)
    audit.record("consent.given", actor=user, target=consent, purpose=purpose, version=version)
    return consent


@transaction.atomic
def do_withdraw_consent(user: User, purpose: str) -> None:
    if purpose == Purpose.TERMS:
        raise ConsentError(
            "The terms can't be withdrawn while the account exists; delete the account instead."
        )
    updated = Consent.objects.filter(user=user, purpose=purpose, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )
    if updated:
        audit.record("consent.withdrawn", actor=user, target=user, purpose=purpose)


@transaction.atomic
def do_erase_account(user: User) -> None:
    """Erase every piece of personal data and keep contributions under "deleted participant".

    The row stays (with a random, non-personal email) so that contributions, supports and audit
    events keep their counts; nothing left on it or elsewhere identifies the person."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from civiclab.cities.actions import do_revoke_role
    from civiclab.deliberation.actions import anonymise_participation_of
    from civiclab.network.actions import anonymise_endorsements_of
    from civiclab.notifications.actions import erase_notifications_of

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.consents.all().delete()
    for membership in user.memberships.select_related("city"):
        do_revoke_role(membership, actor=user)  # refuses to leave a city without an admin
    anonymise_endorsements_of(user)
    anonymise_participation_of(user)
    erase_notifications_of(user)
    user.email = f"erased-{user.public_id.hex}@invalid"
    user.display_name = ""
    user.home_city = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()  # also ends every session: Django checks a hash of the password
    user.erased_at = timezone.now()
    user.save()
    audit.record("user.erased", actor=None, target=user)


@transaction.atomic
def do_activate_totp(user: User, secret: str, *, actor=None) -> None:
    """Register a TOTP authenticator with a known secret. People set theirs up through allauth's own
    screens; this is for the demo loader and for tests."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    audit.record("mfa.totp_activated", actor=actor or user, target=user)
