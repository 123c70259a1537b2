"""Who may do what with a city. Roles are per city; the network admin is a superuser."""

import rules

from .models import Role


def roles_in(user, city) -> set[str]:
    if not user.is_authenticated or city is None:
        return set()
    # Cached on the user object for the request: rules evaluate several predicates per page.
    cache = user.__dict__.setdefault("_civiclab_roles", {})
    if city.pk not in cache:
        cache[city.pk] = set(user.memberships.filter(city=city).values_list("role", flat=True))
    return cache[city.pk]


@rules.predicate
def is_network_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_superuser)


@rules.predicate
def is_city_admin(user, city) -> bool:
    return Role.ADMIN in roles_in(user, city)


@rules.predicate
def is_city_moderator(user, city) -> bool:
    return Role.MODERATOR in roles_in(user, city)


@rules.predicate
def is_city_evaluator(user, city) -> bool:
    return Role.EVALUATOR in roles_in(user, city)


is_city_staff = is_city_admin | is_city_moderator | is_city_evaluator

rules.add_perm("cities.add_city", is_network_admin)
rules.add_perm("cities.view_staff_area", is_city_staff | is_network_admin)
rules.add_perm("cities.manage_members", is_city_admin | is_network_admin)
rules.add_perm("cities.view_audit_log", is_city_admin | is_network_admin)
