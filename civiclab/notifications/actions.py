from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civiclab.core import audit

from . import kinds
from .models import Digest, DigestPreference, Follow, Notification


@transaction.atomic
def do_follow(user, obj) -> Follow:
    follow, created = Follow.objects.get_or_create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults={"city_id": obj.city_id},
    )
    if created:
        audit.record("follow.started", actor=user, city=follow.city, target=obj)
    return follow


@transaction.atomic
def do_unfollow(user, obj) -> None:
    deleted, _rows = Follow.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()
    if deleted:
        audit.record("follow.stopped", actor=user, city=obj.city, target=obj)


def do_notify(users: Iterable, *, city, kind: str, params: dict, url: str, actor=None) -> int:
    """In-app notifications for `users` (each once, never the actor). Email goes out in the digests."""
    if not kinds.is_registered(kind):
        raise ValueError(f"Unregistered notification kind: {kind}")
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if actor is not None:
        recipients.pop(actor.pk, None)
    Notification.objects.bulk_create(
        Notification(city=city, user_id=pk, kind=kind, params=params, url=url) for pk in recipients
    )
    return len(recipients)


def do_mark_read(user, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def do_set_digest(user, frequency: str) -> DigestPreference:
    if frequency not in Digest.values:
        raise ValueError(f"Unknown digest frequency: {frequency}")
    preference, _created = DigestPreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return preference


DIGEST_WINDOW = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}


def send_digests(frequency: str, now: datetime | None = None) -> int:
    """Email each person who chose `frequency` what they have not yet seen or been sent, in their own
    language. Each person's notifications are marked only once their mail is handed to the backend, so a
    failure leaves them for the next run rather than losing them. Returns the number of emails sent."""
    if frequency not in DIGEST_WINDOW:
        raise ValueError(f"Not a digest frequency: {frequency}")
    now = now or timezone.now()
    sent = 0
    people = DigestPreference.objects.filter(frequency=frequency, user__is_active=True).select_related("user")
    for preference in people:
        user = preference.user
        pending = list(
            Notification.objects.filter(user=user, read_at__isnull=True, digested_at__isnull=True)
            .select_related("city")
            .order_by("created_at", "id")[:200]
        )
        if not pending:
            continue
        with translation.override(user.language):
            items = [
                {"text": kinds.render(n.kind, n.params), "url": n.url, "city": n.city.name} for n in pending
            ]
            subject = _("CivicLab: %(count)d new updates") % {"count": len(items)}
            body = render_to_string(
                "notifications/digest_email.txt", {"items": items, "base_url": settings.SITE_URL}
            )
        send_mail(subject, body, None, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digested_at=now)
        sent += 1
    return sent


def erase_notifications_of(user) -> None:
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    DigestPreference.objects.filter(user=user).delete()
