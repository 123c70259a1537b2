"""The seam to the notifications app (civiclab/notifications, built on main in parallel).

Until that app is installed, following and notifying are no-ops, so this app works on its own; once it
is installed, these call its documented interface: `register_kind`, `followers_of`, `do_notify`."""

from django.apps import apps


def _installed() -> bool:
    return apps.is_installed("civiclab.notifications")


_PENDING: dict[str, object] = {}


def register(kind: str, message) -> None:
    _PENDING[kind] = message
    if _installed():
        from civiclab.notifications.kinds import register_kind  # type: ignore[import-not-found]

        register_kind(kind, message)


def register_followable(label: str, get_for) -> None:
    if _installed():
        from civiclab.notifications.registry import (  # type: ignore[import-not-found]
            register_followable as register_with_notifications,
        )

        register_with_notifications(label, get_for)


def followers_of(obj) -> list:
    if not _installed():
        return []
    from civiclab.notifications.selectors import followers_of as followers  # type: ignore[import-not-found]

    return list(followers(obj))


def notify(users, *, city, kind: str, params: dict, url: str, actor=None) -> None:
    users = [u for u in users if u is not None]
    if not users or not _installed():
        return
    from civiclab.notifications.actions import do_notify  # type: ignore[import-not-found]

    do_notify(users, city=city, kind=kind, params=params, url=url, actor=actor)
