"""The standing cast, across two cities (see tests/README or docs/architecture.md):

- Aurora: alice (city admin), bob (moderator), erin (evaluator), carol (resident),
  sam (city admin who has not set up a second factor)
- Borealis: dave (city admin), eve (resident)
- nadia: network admin
"""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import transaction
from django.utils import timezone

from civiclab.accounts.actions import do_activate_totp, do_create_user
from civiclab.cities.actions import do_grant_role
from civiclab.cities.models import Role

from .factories import CityFactory, ManifestoFactory, ProcessFactory

PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(config, items):
    """Tests marked `slow` (whole real-data sweeps) run only when asked for: `make test-slow`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_now(secret: str = TOTP_SECRET) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _fast_passwords_and_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ACCOUNT_RATE_LIMITS = False
    settings.MAP_TILES_URL = ""  # tests reach no tile server


def _person(email, name, city=None, roles=(), totp=True, superuser=False):
    with transaction.atomic():
        user = do_create_user(
            email,
            PASSWORD,
            display_name=name,
            home_city=city,
            superuser=superuser,
            email_verified=True,
            accept_terms=True,
        )
        if totp and (roles or superuser):
            do_activate_totp(user, TOTP_SECRET)
        for role in roles:
            do_grant_role(city, user, role, actor=None)
    return user


@pytest.fixture
def aurora(db):
    return CityFactory(name="Aurora", slug="aurora", country="ES", languages=["es", "en"])


@pytest.fixture
def borealis(db):
    return CityFactory(
        name="Borealis", slug="borealis", country="NL", languages=["nl", "en"], time_zone="Europe/Amsterdam"
    )


@pytest.fixture
def alice(aurora):
    return _person("alice@example.org", "Alice Admin", aurora, [Role.ADMIN])


@pytest.fixture
def bob(aurora):
    return _person("bob@example.org", "Bob Moderator", aurora, [Role.MODERATOR])


@pytest.fixture
def erin(aurora):
    return _person("erin@example.org", "Erin Evaluator", aurora, [Role.EVALUATOR])


@pytest.fixture
def carol(aurora):
    return _person("carol@example.org", "Carol Resident", aurora)


@pytest.fixture
def sam(aurora):
    return _person("sam@example.org", "Sam NoSecondFactor", aurora, [Role.ADMIN], totp=False)


@pytest.fixture
def dave(borealis):
    return _person("dave@example.org", "Dave Admin", borealis, [Role.ADMIN])


@pytest.fixture
def eve(borealis):
    return _person("eve@example.org", "Eve Resident", borealis)


@pytest.fixture
def nadia(db):
    return _person("nadia@example.org", "Nadia Network", superuser=True)


@pytest.fixture
def aurora_process(aurora):
    return ProcessFactory(city=aurora, slug="green-streets", title="Green streets")


@pytest.fixture
def aurora_draft(aurora):
    return ProcessFactory(city=aurora, slug="draft-plan", title="Draft plan", published=False)


@pytest.fixture
def borealis_process(borealis):
    return ProcessFactory(city=borealis, slug="quiet-canals", title="Quiet canals")


@pytest.fixture
def manifesto(db):
    return ManifestoFactory(slug="human-smart-cities", title="Human Smart Cities Manifesto")


def make_budget(
    city,
    *,
    slug="parks",
    opens_in=-1,
    closes_in=7,
    projects=((40, "Trees"), (50, "Benches"), (30, "Lights")),
    **rules,
):
    """A published budget of 100 with feasible projects; voting opened `opens_in` days from now."""
    from civiclab.budgeting.models import Budget, Project

    now = timezone.now()
    fields = {
        "methods": ["census", "letter", "in_person"],
        "amount": 100,
        "residency": "anyone",
        "min_choices": 0,
        **rules,
    }
    budget = Budget.objects.create(
        city=city,
        slug=slug,
        title=f"Budget {slug}",
        published=True,
        voting_opens_at=now + timedelta(days=opens_in),
        voting_closes_at=now + timedelta(days=closes_in),
        **fields,
    )
    for cost, title in projects:
        Project.objects.create(
            city=city,
            budget=budget,
            title=title,
            description="A project",
            cost=cost,
            proposed_cost=cost,
            status="feasible",
        )
    return budget


@pytest.fixture
def aurora_budget(aurora):
    return make_budget(aurora)


@pytest.fixture
def borealis_budget(borealis):
    return make_budget(borealis, slug="canals")


@pytest.fixture
def aurora_conversation(aurora, alice):
    """A published conversation of Aurora's residents, with three seed statements."""
    from civiclab.deliberation.actions import do_create_conversation

    return do_create_conversation(
        aurora,
        alice,
        topic="Shade in the squares",
        slug="shade",
        published=True,
        seeds=["More trees in every square", "Water fountains in parks", "Fewer parking places downtown"],
    )


@pytest.fixture
def borealis_conversation(borealis, dave):
    from civiclab.deliberation.actions import do_create_conversation

    return do_create_conversation(
        borealis,
        dave,
        topic="Quiet nights",
        slug="quiet-nights",
        published=True,
        seeds=["Boats slower at night"],
    )
