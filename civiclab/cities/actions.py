from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civiclab.core import audit, nearcache

from .access import city_cache_key
from .middleware import DOMAINS_CACHE_KEY
from .models import City, Membership, Role

CITY_FIELDS = (
    "name",
    "slug",
    "country",
    "languages",
    "time_zone",
    "population",
    "latitude",
    "longitude",
    "colour",
    "logo",
    "custom_domain",
)


@transaction.atomic
def do_create_city(actor, **fields) -> City:
    unknown = set(fields) - set(CITY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown city fields: {sorted(unknown)}")
    city = City(**fields)
    city.custom_domain = city.custom_domain or None
    city.full_clean()
    city.save()
    audit.record("city.created", actor=actor, city=city, target=city, slug=city.slug)
    transaction.on_commit(lambda: nearcache.delete_many([DOMAINS_CACHE_KEY]))
    return city


@transaction.atomic
def do_update_city(city: City, actor, **fields) -> City:
    unknown = set(fields) - set(CITY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown city fields: {sorted(unknown)}")
    changed = sorted(k for k, v in fields.items() if getattr(city, k) != v)
    old_slug = city.slug
    for key in changed:
        setattr(city, key, fields[key])
    city.custom_domain = city.custom_domain or None
    city.full_clean()
    city.save()
    if changed:
        audit.record("city.updated", actor=actor, city=city, target=city, fields=changed)
        stale = [DOMAINS_CACHE_KEY, city_cache_key(old_slug), city_cache_key(city.slug)]
        transaction.on_commit(lambda: nearcache.delete_many(stale))
    return city


@transaction.atomic
def do_grant_role(city: City, user, role: str, *, actor) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if not user.is_active:
        raise ValidationError(_("This account is not active."))
    membership, created = Membership.objects.get_or_create(city=city, user=user, role=role)
    if created:
        audit.record(
            "role.granted", actor=actor, city=city, target=membership, role=role, user=str(user.public_id)
        )
    return membership


@transaction.atomic
def do_revoke_role(membership: Membership, *, actor) -> None:
    if (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(city=membership.city, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("A city needs at least one city admin."))
    audit.record(
        "role.revoked",
        actor=actor,
        city=membership.city,
        target=membership,
        role=membership.role,
        user=str(membership.user.public_id),
    )
    membership.delete()
