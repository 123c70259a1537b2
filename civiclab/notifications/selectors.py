from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from . import kinds
from .models import DigestPreference, Follow, Notification


def is_following(user, obj) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).exists()


def followers_of(obj):
    return get_user_model().objects.filter(
        is_active=True,
        follows__content_type=ContentType.objects.get_for_model(obj),
        follows__object_id=obj.pk,
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of(user, limit: int = 100) -> list[dict]:
    rows = Notification.objects.filter(user=user).select_related("city")[:limit]
    return [
        {
            "id": n.pk,
            "text": kinds.render(n.kind, n.params),
            "url": n.url,
            "city": n.city.name,
            "created_at": n.created_at,
            "unread": n.read_at is None,
        }
        for n in rows
    ]


def digest_of(user) -> str:
    preference = DigestPreference.objects.filter(user=user).first()
    return preference.frequency if preference else "never"


def personal_data_of(user) -> dict:
    return {
        "follows": [
            {
                "city": f.city.slug,
                "type": f"{f.content_type.app_label}.{f.content_type.model}",
                "id": f.object_id,
                "since": f.created_at.isoformat(),
            }
            for f in Follow.objects.filter(user=user).select_related("city", "content_type")
        ],
        "notifications": [
            {
                "city": n.city.slug,
                "kind": n.kind,
                "params": n.params,
                "url": n.url,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in Notification.objects.filter(user=user).select_related("city")
        ],
        "email_digest": digest_of(user),
    }
