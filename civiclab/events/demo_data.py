"""The demo network's meetings and living-lab sessions, in each city's language: coming ones with
registration and a waiting list, and past ones with minutes and published attendance."""

from datetime import timedelta

from django.utils import timezone

from civiclab.processes.actions import do_add_component

from . import actions
from .models import Meeting

# (process, admin, component title, meetings: (title, days from now, hours, fields))
MEETINGS = [
    (
        "huerta-y-clima",
        "ana@valencia.demo",
        "Talleres de barrio",
        [
            (
                "Taller: mapa del calor en Russafa",
                6,
                2,
                {
                    "description": "Dibujamos juntos los puntos más calurosos del barrio.",
                    "format": "in_person",
                    "address": "Centre Municipal de Joventut Russafa, Carrer de Sevilla 1, València",
                    "latitude": "39.46127",
                    "longitude": "-0.37410",
                    "step_free": True,
                    "childcare": True,
                    "languages": ["Español", "Valencià"],
                    "capacity": 1,
                    "living_lab": True,
                },
            ),
            (
                "Sesión en línea: refugios climáticos",
                12,
                1,
                {
                    "description": "Presentación de los refugios y turno de preguntas.",
                    "format": "online",
                    "online_url": "https://meet.valencia.demo/refugios",
                    "languages": ["Español"],
                    "capacity": 80,
                },
            ),
        ],
    ),
    (
        "piano-quartieri",
        "giulia@bologna.demo",
        "Laboratori di quartiere",
        [
            (
                "Laboratorio Bolognina: servizi di prossimità",
                -9,
                3,
                {
                    "description": "Primo laboratorio di co-progettazione.",
                    "format": "hybrid",
                    "online_url": "https://meet.bologna.demo/bolognina",
                    "address": "Casa di Quartiere Katia Bertasi, Via Fioravanti 18/3, Bologna",
                    "latitude": "44.51000",
                    "longitude": "11.34550",
                    "step_free": True,
                    "hearing_loop": True,
                    "sign_language": True,
                    "languages": ["Italiano", "English", "العربية"],
                    "capacity": 40,
                    "living_lab": True,
                    "report": {
                        "minutes": "**Sintesi**\n\n- Mancano spazi per i ragazzi il pomeriggio.\n"
                        "- Serve un ambulatorio aperto il sabato.",
                        "outcomes": [
                            {
                                "title": "Centro giovani Bolognina",
                                "url": "https://bologna.demo/proposte/centro-giovani",
                            }
                        ],
                        "attendance": 37,
                        "attendance_demographics": {
                            "gender": {"woman": 19, "man": 14, "prefer_not": 4},
                            "age_band": {"18_29": 6, "30_44": 12, "45_64": 11, "65_plus": 8},
                        },
                    },
                },
            ),
            (
                "Laboratorio Savena: spazi verdi",
                9,
                2,
                {
                    "description": "Secondo laboratorio, dedicato agli spazi verdi.",
                    "format": "in_person",
                    "address": "Centro civico Savena, Via Faenza 4, Bologna",
                    "latitude": "44.48300",
                    "longitude": "11.37500",
                    "step_free": True,
                    "languages": ["Italiano"],
                    "capacity": 30,
                },
            ),
        ],
    ),
    (
        "groene-straten",
        "sanne@utrecht.demo",
        "Buurtbijeenkomsten",
        [
            (
                "Straatgesprek: geveltuinen in Lombok",
                4,
                2,
                {
                    "description": "We lopen door de straat en bespreken waar geveltuinen kunnen komen.",
                    "format": "in_person",
                    "address": "Buurthuis De Leeuw, Damstraat 2, Utrecht",
                    "latitude": "52.09150",
                    "longitude": "5.10250",
                    "step_free": False,
                    "access_notes": "Er is een drempel van 10 cm bij de ingang; we helpen graag.",
                    "languages": ["Nederlands", "Türkçe", "العربية"],
                },
            ),
        ],
    ),
]


def load(cities, people, processes) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    made = {}
    for slug, admin_email, title, meetings in MEETINGS:
        process = processes[slug]
        admin = people[admin_email]
        component = do_add_component(process.active_phase(), admin, kind="meetings", title=title)
        for meeting_title, days, hours, spec in meetings:
            fields = dict(spec)
            report = fields.pop("report", None)
            starts = (now + timedelta(days=days)).replace(hour=18, minute=0)
            made[meeting_title] = meeting = actions.do_create_meeting(
                component,
                admin,
                title=meeting_title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                **fields,
            )
            if report:
                actions.do_report_meeting(meeting, admin, **report)
    # València's first workshop has one place: Lucía has it and Jordi waits, so the demo shows the list.
    russafa = made["Taller: mapa del calor en Russafa"]
    actions.do_register(russafa, people["lucia@valencia.demo"])
    actions.do_register(russafa, people["jordi@valencia.demo"])


def link_proposals(people) -> None:
    """After the proposals demo: each reported meeting links two of its city's proposals, as staff
    do in the meeting report."""
    from civiclab.proposals.models import Proposal

    admins = {slug: people[email] for slug, email, _title, _meetings in MEETINGS}
    reported = Meeting.objects.exclude(minutes="").select_related("component__phase__process")
    for meeting in reported:
        admin = admins.get(meeting.component.phase.process.slug)
        newest = Proposal.objects.filter(city_id=meeting.city_id, hidden_at__isnull=True).order_by("-id")
        ids = list(newest.values_list("id", flat=True)[:2])
        if admin is None or not ids:
            continue
        actions.do_report_meeting(
            meeting,
            admin,
            minutes=meeting.minutes,
            proposals=ids,
            outcomes=meeting.outcomes,
            attendance=meeting.attendance,
            attendance_demographics=meeting.attendance_demographics,
        )
