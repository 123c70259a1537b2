"""The demo network: three cities in three languages, with staff, residents and processes in every
phase. Loaded by `civiclab demo` and by `civiclab run` on an empty database, through the same
actions that the pages use."""

from datetime import timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone, translation

from civiclab.accountability import demo_data as accountability_demo
from civiclab.accounts.actions import do_activate_totp, do_create_user, do_give_consent
from civiclab.accounts.models import Purpose
from civiclab.budgeting import demo_data as budgeting_demo
from civiclab.cities.actions import do_create_city, do_grant_role
from civiclab.cities.models import City, Role
from civiclab.deliberation.demo import load_demo_conversation
from civiclab.events import demo_data as events_demo
from civiclab.network.actions import do_create_manifesto, do_endorse
from civiclab.processes.actions import PhaseSpec, do_create_process
from civiclab.processes.models import PhaseKind
from civiclab.surveys import demo_data as surveys_demo

DEMO_PASSWORD = "civiclab-demo"  # noqa: S105 (published in the README; demo only)
# The authenticator secret of every demo staff account, published in the README so that anyone can
# add it to an authenticator app. Never use demo data in production.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPCIVICLABDEMO2345"  # noqa: S105

CITIES = [
    {
        "name": "València",
        "slug": "valencia",
        "country": "ES",
        "languages": ["es", "en"],
        "time_zone": "Europe/Madrid",
        "population": 807693,
        "latitude": 39.4699,
        "longitude": -0.3763,
        "colour": "#b3261e",
    },
    {
        "name": "Bologna",
        "slug": "bologna",
        "country": "IT",
        "languages": ["it", "en"],
        "time_zone": "Europe/Rome",
        "population": 392027,
        "latitude": 44.4949,
        "longitude": 11.3426,
        "colour": "#8a3b12",
    },
    {
        "name": "Utrecht",
        "slug": "utrecht",
        "country": "NL",
        "languages": ["nl", "en"],
        "time_zone": "Europe/Amsterdam",
        "population": 374238,
        "latitude": 52.0907,
        "longitude": 5.1214,
        "colour": "#1d5e8c",
    },
]

# (email, display name, language, city, roles)
PEOPLE = [
    ("admin@civiclab.demo", "Network admin", "en", None, "network"),
    ("ana@valencia.demo", "Ana García", "es", "valencia", [Role.ADMIN]),
    ("jordi@valencia.demo", "Jordi Puig", "es", "valencia", [Role.MODERATOR, Role.EVALUATOR]),
    ("giulia@bologna.demo", "Giulia Rossi", "it", "bologna", [Role.ADMIN]),
    ("marco@bologna.demo", "Marco Bianchi", "it", "bologna", [Role.MODERATOR]),
    ("sanne@utrecht.demo", "Sanne de Vries", "nl", "utrecht", [Role.ADMIN]),
    ("daan@utrecht.demo", "Daan Jansen", "nl", "utrecht", [Role.EVALUATOR]),
    ("lucia@valencia.demo", "Lucía Martín", "es", "valencia", []),
    ("paolo@bologna.demo", "Paolo Ferri", "it", "bologna", []),
    ("fatima@utrecht.demo", "Fatima El Amrani", "nl", "utrecht", []),
]

# (manifesto, organisation, country, type): the three demo cities' bodies sign both manifestos.
ORGANISATION_ENDORSEMENTS = [
    *[
        (slug, name, country, kind)
        for slug in ("inclusive-smart-cities", "human-smart-cities")
        for name, country, kind in [
            ("Ajuntament de València", "ES", "public_body"),
            ("Comune di Bologna", "IT", "public_body"),
            ("Universiteit Utrecht", "NL", "university"),
        ]
    ],
    ("human-smart-cities", "Fundació Barri Obert", "ES", "civil_society"),
]

KINDS = ["diagnosis", "co_design", "decision", "delivery", "evaluation"]

# (city, slug, title, summary, which phase is active now: index into KINDS, or -1 for finished)
PROCESSES = [
    (
        "valencia",
        "pressupostos-participatius-2027",
        "Presupuestos participativos 2027",
        "Los vecinos proponen y votan proyectos para sus barrios.",
        2,
    ),
    (
        "valencia",
        "huerta-y-clima",
        "Huerta y clima: refugios climáticos",
        "Diagnóstico compartido de las olas de calor y diseño de refugios climáticos.",
        0,
    ),
    (
        "bologna",
        "piano-quartieri",
        "Piano per i quartieri",
        "Laboratori di quartiere per co-progettare i servizi di prossimità.",
        1,
    ),
    (
        "bologna",
        "bilancio-partecipativo-2025",
        "Bilancio partecipativo 2025",
        "Progetti votati nel 2025, ora in realizzazione.",
        3,
    ),
    (
        "utrecht",
        "groene-straten",
        "Groene straten",
        "Bewoners ontwerpen samen groenere en koelere straten.",
        1,
    ),
    (
        "utrecht",
        "inclusieve-dienstverlening",
        "Inclusieve dienstverlening",
        "Evaluatie van het loket voor iedereen, met bewoners die moeilijk bereikt worden.",
        4,
    ),
]

MANIFESTOS = [
    (
        "inclusive-smart-cities",
        "Inclusive Smart Cities Manifesto",
        "Smart cities are only smart when everyone can take part: people in poverty, young and old people, "
        "migrants, people with disabilities, with gender balance. Technology serves inclusion, and residents "
        "help decide what the city builds, with continuous assessment based on their feedback.",
    ),
    (
        "human-smart-cities",
        "Human Smart Cities Manifesto",
        "Cities co-create services with their people from the start, define measurable goals and "
        "indicators, and share evaluations across a network of peers to learn from each other rather than "
        "to compete.",
    ),
]


def _phases(active_index: int, now, language: str):
    """Five four-week phases placed so that phase `active_index` is running now (-1: all finished),
    named in the city's language."""
    length = timedelta(weeks=4)
    start = now - length * (len(KINDS) if active_index < 0 else active_index) - timedelta(days=3)
    with translation.override(language):
        names = {kind: str(PhaseKind(kind).label) for kind in KINDS}
    return [
        PhaseSpec(
            kind=kind,
            name=names[kind],
            starts_at=start + length * i,
            ends_at=start + length * (i + 1),
        )
        for i, kind in enumerate(KINDS)
    ]


def load_demo(only_if_empty: bool = False) -> str:
    # The demo's people are not real: no notification leaves the machine while it loads.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _load(only_if_empty)


@transaction.atomic
def _load(only_if_empty: bool) -> str:
    if City.objects.exists():
        if only_if_empty:
            return "The database already holds cities: the demo was not loaded."
        raise RuntimeError("The demo loads only into an empty database.")
    now = timezone.now()
    cities = {spec["slug"]: do_create_city(None, **spec) for spec in CITIES}
    admin = None
    people = {}
    for email, name, language, city_slug, roles in PEOPLE:
        user = do_create_user(
            email,
            DEMO_PASSWORD,
            display_name=name,
            accept_terms=True,
            language=language,
            home_city=cities.get(city_slug),
            superuser=roles == "network",
            email_verified=True,
            actor=admin,
        )
        if roles == "network":
            admin = user
        if roles:
            do_activate_totp(user, DEMO_TOTP_SECRET, actor=admin)
        for role in roles if isinstance(roles, list) else []:
            do_grant_role(cities[city_slug], user, role, actor=admin)
        people[email] = user
    do_give_consent(people["lucia@valencia.demo"], Purpose.DEMOGRAPHICS)
    do_give_consent(people["fatima@utrecht.demo"], Purpose.NEWSLETTER)

    city_admins = {
        "valencia": "ana@valencia.demo",
        "bologna": "giulia@bologna.demo",
        "utrecht": "sanne@utrecht.demo",
    }
    processes = {}
    for city_slug, slug, title, summary, active in PROCESSES:
        processes[slug] = do_create_process(
            cities[city_slug],
            people[city_admins[city_slug]],
            title=title,
            slug=slug,
            summary=summary,
            description=summary,
            published=True,
            phases=_phases(active, now, cities[city_slug].default_language),
        )
    do_create_process(
        cities["valencia"],
        people["ana@valencia.demo"],
        title="Movilidad escolar (borrador)",
        slug="movilidad-escolar",
        summary="En preparación.",
        published=False,
        phases=_phases(-1, now + timedelta(weeks=30), "es"),
    )

    load_demo_conversation(cities["valencia"], people["ana@valencia.demo"])

    manifestos = {
        slug: do_create_manifesto(admin, slug=slug, title=title, summary=summary, body=summary)
        for slug, title, summary in MANIFESTOS
    }
    for slug, name, country, organisation_type in ORGANISATION_ENDORSEMENTS:
        do_endorse(
            manifestos[slug],
            kind="organisation",
            name=name,
            country=country,
            organisation_type=organisation_type,
            show_name=True,
        )
    do_endorse(
        manifestos["inclusive-smart-cities"],
        kind="person",
        name="Lucía Martín",
        country="ES",
        show_name=True,
        user=people["lucia@valencia.demo"],
    )
    do_endorse(
        manifestos["inclusive-smart-cities"],
        kind="person",
        name="",
        country="NL",
        show_name=False,
        user=people["fatima@utrecht.demo"],
    )
    budgeting_demo.load(cities, people, processes)
    # surveys and meetings
    surveys_demo.load(cities, people, processes)
    events_demo.load(cities, people, processes)
    # proposals
    from civiclab.proposals import demo_data as proposals_demo

    proposals_demo.load(cities, people, processes)
    events_demo.link_proposals(people)  # meetings' reports name the proposals that came out of them
    accountability_demo.load(cities, people, processes)  # accountability (issue 6)
    return f"Demo network loaded: {len(cities)} cities, {len(people)} people, {len(PROCESSES) + 1} processes."
