"""The demo network's participatory budgets, made through the same actions as the pages:
València votes now (census, letter or in-person), Bologna has results (paper ballots typed twice by two
staff members, counted with the Method of Equal Shares), Utrecht collects and reviews projects."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from . import actions
from .actions import BallotChoice

# The demo census of València (published in the README: never real people).
DEMO_CENSUS = [
    ("12345678Z", 1988, "Ciutat Vella"),
    ("87654321X", 1975, "Benimaclet"),
    ("11223344B", 2001, "Russafa"),
]

PLACES = {
    "Sombra en la plaza del Mercado": (Decimal("39.47386"), Decimal("-0.37874")),
    "Huerto escolar": (Decimal("39.48364"), Decimal("-0.35898")),
}
VALENCIA_PROJECTS = [
    ("Ciutat Vella", "Sombra en la plaza del Mercado", "Toldos y árboles para la plaza.", 120_000),
    ("Ciutat Vella", "Fuentes de agua potable", "Diez fuentes nuevas en el barrio.", 60_000),
    ("Ciutat Vella", "Biblioteca abierta en verano", "Horario ampliado en julio y agosto.", 90_000),
    ("Benimaclet", "Carril bici a la universidad", "Un carril protegido de 1,2 km.", 180_000),
    ("Benimaclet", "Huerto escolar", "Huerto para dos colegios públicos.", 40_000),
    ("Benimaclet", "Bancos y sombra en la avenida", "Descanso cada 100 metros.", 50_000),
    ("Russafa", "Patio escolar abierto", "El patio abre por las tardes y fines de semana.", 70_000),
    ("Russafa", "Menos ruido nocturno", "Sensores y mediación vecinal.", 80_000),
    ("Russafa", "Rampas y aceras accesibles", "Rebajes en 40 cruces.", 110_000),
]

BOLOGNA_PROJECTS = [
    ("Alberi in via Saragozza", "Trenta alberi nuovi.", 80_000, 0.55),
    ("Pista ciclabile Navile", "Due chilometri protetti.", 160_000, 0.50),
    ("Centro giovani Bolognina", "Spazio aperto il pomeriggio.", 120_000, 0.30),
    ("Panchine e fontanelle", "In tutti i parchi di quartiere.", 40_000, 0.45),
    ("Corsi di italiano per adulti", "Gratuiti, serali, con baby-sitting.", 50_000, 0.22),
    ("Bagni pubblici accessibili", "Quattro nuovi bagni senza barriere.", 90_000, 0.25),
    ("Orti urbani Savena", "Quaranta lotti nuovi.", 60_000, 0.20),
]


def load(cities, people, processes) -> None:
    now = timezone.now().replace(second=0, microsecond=0)  # whole minutes, as staff forms show them
    _valencia(cities["valencia"], people, processes, now)
    _bologna(cities["bologna"], people, processes, now)
    _utrecht(cities["utrecht"], people, now)


def _valencia(city, people, processes, now) -> None:
    ana, lucia = people["ana@valencia.demo"], people["lucia@valencia.demo"]
    # Projects come first, while the budget still takes them; then voting opens.
    budget = actions.do_create_budget(
        city,
        ana,
        title="Presupuestos participativos 2027",
        slug="presupuestos-2027",
        description="Cada barrio decide cómo gastar su parte. **Se cuenta con el Método de Partes Iguales.**",
        process=processes.get("pressupostos-participatius-2027"),
        published=True,
        amount=750_000,
        ballot_type="knapsack",
        min_choices=1,
        rule="mes-add1",
        residency="residents",
        methods=["census", "letter", "in_person"],
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=25),
        districts=[("Ciutat Vella", 250_000), ("Benimaclet", 250_000), ("Russafa", 250_000)],
    )
    districts = {d.name: d for d in budget.districts.all()}
    jordi = people["jordi@valencia.demo"]
    for district, title, text, cost in VALENCIA_PROJECTS:
        place = PLACES.get(title, (None, None))
        project = actions.do_submit_project(
            budget,
            lucia,
            title=title,
            description=text,
            cost=cost,
            district=districts[district],
            latitude=place[0],
            longitude=place[1],
        )
        actions.do_review_project(project, jordi, feasible=True, review_reason="Viable técnicamente.")
    extra = actions.do_submit_project(
        budget,
        lucia,
        title="Teleférico al puerto",
        description="Un teleférico.",
        cost=240_000,
        district=districts["Ciutat Vella"],
    )
    actions.do_review_project(
        extra, jordi, feasible=False, review_reason="Supera el presupuesto del barrio con el mantenimiento."
    )
    actions.do_upload_census(budget, ana, "\n".join(f"{i},{y},{d}" for i, y, d in DEMO_CENSUS))
    # Voting opens now (the demo moves the date; staff cannot once it has opened).
    budget.voting_opens_at = now - timedelta(days=2)
    budget.save(update_fields=["voting_opens_at"])


def _bologna(city, people, processes, now) -> None:
    giulia, marco, paolo = (
        people["giulia@bologna.demo"],
        people["marco@bologna.demo"],
        people["paolo@bologna.demo"],
    )
    budget = actions.do_create_budget(
        city,
        giulia,
        title="Bilancio partecipativo 2025",
        slug="bilancio-2025",
        description="I progetti votati nel 2025. Conteggio con il Metodo delle Quote Uguali.",
        process=processes.get("bilancio-partecipativo-2025"),
        published=True,
        amount=300_000,
        ballot_type="k_approval",
        min_choices=1,
        max_choices=3,
        rule="mes-add1",
        residency="residents",
        methods=["in_person"],
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=8),
    )
    projects = []
    for title, text, cost, share in BOLOGNA_PROJECTS:
        project = actions.do_submit_project(budget, paolo, title=title, description=text, cost=cost)
        actions.do_review_project(project, marco, feasible=True, review_reason="Fattibile.")
        projects.append((project.code, share))
    budget.voting_opens_at, budget.voting_closes_at = now - timedelta(days=70), now - timedelta(days=40)
    budget.save(update_fields=["voting_opens_at", "voting_closes_at"])
    rng = random.Random(2025)  # noqa: S311 (the same demo every time; nothing secret)
    for sheet in range(1, 101):
        marked = [code for code, share in projects if rng.random() < share][:3] or [projects[0][0]]
        for staff in (giulia, marco):
            actions.do_enter_paper_ballot(
                budget, staff, station="Seggio 1", sheet=str(sheet), choice=BallotChoice(marked)
            )
    actions.do_count(budget, giulia)


def _utrecht(city, people, now) -> None:
    sanne, fatima, daan = (
        people["sanne@utrecht.demo"],
        people["fatima@utrecht.demo"],
        people["daan@utrecht.demo"],
    )
    budget = actions.do_create_budget(
        city,
        sanne,
        title="Buurtbudget Noordoost 2027",
        slug="buurtbudget-2027",
        description="Dien tot de stemming een project in. Het stembiljet verdeelt punten.",
        published=True,
        amount=200_000,
        ballot_type="cumulative",
        min_choices=1,
        max_points=10,
        rule="greedy",
        residency="residents",
        methods=["letter", "in_person"],
        voting_opens_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=51),
    )
    project = actions.do_submit_project(
        budget, fatima, title="Taalcafé in de bibliotheek", description="Elke week, gratis.", cost=15_000
    )
    actions.do_review_project(
        project,
        daan,
        feasible=True,
        review_reason="Past bij het bibliotheekplan.",
        cost=18_000,
        cost_note="Inclusief begeleiding door een vrijwilligerscoördinator.",
    )
    actions.do_submit_project(
        budget,
        fatima,
        title="Speeltuin zonder drempels",
        description="Toegankelijke speeltoestellen.",
        cost=60_000,
    )
