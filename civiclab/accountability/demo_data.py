"""The demo network's results, KPIs and shared practices, in each city's language, made through the
same actions as the pages: Bologna's 2025 budget became results at different stages, every city has
four years of quarterly KPI values, and the cities share practices (Utrecht replicated Bologna's)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from civiclab.budgeting.models import Budget
from civiclab.network.actions import do_comment_practice, do_publish_practice, do_replicate_practice
from civiclab.processes.actions import do_add_component
from civiclab.processes.models import Process

from . import actions
from .models import Kpi

STATUS_NAMES = {
    "es": {
        "planned": "Prevista",
        "in-progress": "En marcha",
        "delivered": "Realizada",
        "cancelled": "Cancelada",
    },
    "it": {
        "planned": "Prevista",
        "in-progress": "In corso",
        "delivered": "Realizzata",
        "cancelled": "Annullata",
    },
    "nl": {
        "planned": "Gepland",
        "in-progress": "Bezig",
        "delivered": "Opgeleverd",
        "cancelled": "Geannuleerd",
    },
}

# city -> [(kpi code, baseline, target, yearly change, source, how measured)]
KPIS = {
    "valencia": [
        (
            "sdg-11-7-1",
            "18.5",
            "24",
            "1.1",
            "Servicio de Planificación Urbana",
            "SIG municipal, superficie de plazas y parques.",
        ),
        (
            "sdg-11-6-2",
            "17.2",
            "12",
            "-0.9",
            "Red de vigilancia de la calidad del aire",
            "Media anual ponderada de 6 estaciones.",
        ),
        (
            "trees-planted",
            "1800",
            "4000",
            "450",
            "Registro municipal de arbolado",
            "Árboles nuevos en calles y plazas.",
        ),
        (
            "sdg-16-7-2",
            "31",
            "45",
            "2.5",
            "Encuesta municipal de participación",
            "Encuesta anual a 1.200 personas.",
        ),
    ],
    "bologna": [
        (
            "sdg-11-7-1",
            "21",
            "25",
            "0.6",
            "Settore Urbanistica",
            "Cartografia comunale degli spazi pubblici.",
        ),
        (
            "sdg-11-2-1",
            "78",
            "85",
            "0.8",
            "Ufficio Mobilità",
            "Residenti a meno di 500 m da una fermata frequente.",
        ),
        (
            "sdg-16-7-2",
            "36",
            "50",
            "3.1",
            "Indagine annuale sulla partecipazione",
            "Campione di 900 residenti.",
        ),
        (
            "trees-planted",
            "900",
            "2000",
            "260",
            "Catasto comunale del verde",
            "Nuovi alberi stradali in 12 mesi.",
        ),
    ],
    "utrecht": [
        (
            "sdg-11-6-2",
            "11.4",
            "8",
            "-0.6",
            "Meetnet luchtkwaliteit Utrecht",
            "Jaargemiddelde van 4 meetstations.",
        ),
        (
            "sdg-11-6-1",
            "93",
            "98",
            "0.9",
            "Afvalstoffendienst",
            "Ingezameld en verwerkt in gecontroleerde installaties.",
        ),
        ("sdg-16-7-2", "40", "55", "2.2", "Inwonersenquête", "Jaarlijkse enquête onder 1.500 inwoners."),
        ("trees-planted", "1100", "2500", "320", "Bomenregister", "Nieuwe straatbomen in 12 maanden."),
    ],
}

PRACTICES = {
    "bologna": dict(
        slug="laboratori-di-quartiere",
        title="Laboratori di quartiere",
        kind="process",
        summary="Residenti, associazioni e uffici co-progettano i servizi di prossimità in ogni quartiere.",
        problem="I servizi di quartiere erano decisi lontano dalle persone che li usano.",
        context="Sei quartieri, da 50.000 a 70.000 abitanti; uffici di quartiere già presenti.",
        method="Diagnosi condivisa, tre laboratori di co-progettazione, decisione pubblica, "
        "consegna seguita online.",
        costs="Circa 40.000 euro l'anno per quartiere (facilitazione e spazi).",
        results="Più della metà delle proposte realizzate entro due anni; partecipazione raddoppiata.",
        lessons="Fissare le date della consegna fin dall'inizio; rispondere a ogni proposta, anche ai no.",
        contact="Ufficio Immaginazione Civica",
        topic="participation",
        sdg_target="16.7",
        language="it",
        process="piano-quartieri",
        kpis=["sdg-16-7-2", "civiclab-participants"],
    ),
    "utrecht": dict(
        slug="groene-straten-ontwerpen",
        title="Groene straten samen ontwerpen",
        kind="service",
        summary="Bewoners ontwerpen met de gemeente groenere en koelere straten, straat voor straat.",
        problem="Versteende straten worden te heet in de zomer en water kan niet weg.",
        context="Dichtbebouwde wijken, veel huurwoningen.",
        method="Straatgesprekken, een ontwerpavond, stemmen per straat, aanleg binnen een jaar.",
        costs="Gemiddeld 60.000 euro per straat.",
        results="14 straten vergroend, gemiddeld 1,5 graad koeler op hete dagen.",
        lessons="Begin met de bewoners die het minst meedoen; onderhoud afspreken vóór de aanleg.",
        contact="Team Groen en Water",
        topic="climate",
        sdg_target="11.7",
        language="nl",
        process="groene-straten",
        kpis=["sdg-11-7-1", "trees-planted"],
    ),
    "valencia": dict(
        slug="refugios-climaticos-escolares",
        title="Refugios climáticos en los colegios",
        kind="service",
        summary="Los patios escolares abren en verano como refugios con sombra y agua para el barrio.",
        problem="Olas de calor más largas y pocos lugares frescos y gratuitos cerca de casa.",
        context="Ciudad compacta de clima mediterráneo; 10 colegios piloto.",
        method="Diagnóstico con el vecindario, toldos y árboles, horario de tarde en julio y agosto.",
        costs="25.000 euros por colegio el primer año.",
        results="8.000 visitas el primer verano; valoración media de 4,3 sobre 5.",
        lessons="El personal de apertura es lo más caro y lo más valorado.",
        contact="Servicio de Educación",
        topic="climate",
        sdg_target="11.7",
        language="es",
        process="huerta-y-clima",
        kpis=["sdg-11-7-1"],
    ),
}


def load(cities, people, processes) -> None:
    actions.do_load_catalogue()
    admins = {
        "valencia": people["ana@valencia.demo"],
        "bologna": people["giulia@bologna.demo"],
        "utrecht": people["sanne@utrecht.demo"],
    }
    statuses = {}
    for slug, city in cities.items():
        statuses[slug] = {
            s.code: s for s in actions.do_set_up_city(city, STATUS_NAMES.get(city.default_language))
        }
    adoptions = {slug: _kpis(city, admins[slug], KPIS[slug]) for slug, city in cities.items()}
    _bologna_results(cities["bologna"], people, statuses["bologna"], adoptions["bologna"])
    _valencia_results(cities["valencia"], admins["valencia"], statuses["valencia"], adoptions["valencia"])
    _utrecht_results(cities["utrecht"], admins["utrecht"], statuses["utrecht"], adoptions["utrecht"])
    delivered = Kpi.objects.get(city__isnull=True, code="civiclab-delivered")
    for slug, city in cities.items():
        actions.do_adopt_kpi(
            city, admins[slug], delivered, baseline_value=Decimal(0), baseline_date=date(2024, 1, 1)
        )
        actions.do_refresh_computed(city, admins[slug])
    # Bologna's workshops are a component of its co-design phase: replicating the practice copies it.
    workshops = processes["piano-quartieri"].phases.get(kind="co_design")
    do_add_component(workshops, admins["bologna"], kind="meetings", title="Laboratori di quartiere")
    practices = {}
    for slug, spec in PRACTICES.items():
        spec = dict(spec)
        kpis = list(Kpi.objects.filter(city__isnull=True, code__in=spec.pop("kpis")))
        process = processes.get(spec.pop("process"))
        practices[slug] = do_publish_practice(
            cities[slug], admins[slug], kpis=kpis, source_process=process, **spec
        )
    do_replicate_practice(practices["bologna"], cities["utrecht"], admins["utrecht"])
    do_comment_practice(
        practices["bologna"],
        cities["valencia"],
        admins["valencia"],
        body="Lo probaremos en Benimaclet. ¿Cuántas personas facilitan cada laboratorio?",
    )


def _kpis(city, admin, specs) -> dict:
    today = timezone.localdate()
    start = date(today.year - 4, 1, 1)
    made = {}
    for code, baseline, target, per_year, source, how in specs:
        kpi = Kpi.objects.get(city__isnull=True, code=code)
        adoption = actions.do_adopt_kpi(
            city,
            admin,
            kpi,
            baseline_value=Decimal(baseline),
            baseline_date=start,
            target_value=Decimal(target),
            target_date=date(today.year + 3, 12, 31),
            success_criterion=f"{target} ({kpi.get_unit_display()})",
            how_measured=how,
            # Participatory processes aim at "decision-making seen as inclusive".
            processes=list(Process.objects.filter(city=city, published=True)) if code == "sdg-16-7-2" else [],
            interim_targets=[(date(today.year, 12, 31), (Decimal(baseline) + Decimal(target)) / 2)],
        )
        # Quarterly values for four years, with a little noise that is the same every time.
        day, n = start + timedelta(days=91), 1
        while day <= today:
            wobble = Decimal((n * 7919) % 11 - 5) / 10 * abs(Decimal(per_year)) / 4
            value = Decimal(baseline) + Decimal(per_year) * Decimal(n) / 4 + wobble
            if kpi.unit == "count":
                value = value.to_integral_value()
            actions.do_record_measurement(
                adoption,
                admin,
                date=day,
                value=max(value, Decimal(0)).quantize(Decimal("0.1")),
                source=source,
                via="demo",
            )
            day, n = day + timedelta(days=91), n + 1
        made[code] = adoption
    return made


def _bologna_results(city, people, statuses, adoptions) -> None:
    giulia, marco = people["giulia@bologna.demo"], people["marco@bologna.demo"]
    budget = Budget.objects.get(city=city, slug="bilancio-2025")
    results = actions.do_create_results_from_budget(budget, giulia)
    today = timezone.localdate()
    stages = [
        ("delivered", 100, "Lavori conclusi e inaugurati."),
        ("in-progress", 60, "Cantiere aperto, fine prevista in primavera."),
        ("planned", 0, ""),
        ("cancelled", 0, ""),
    ]
    for result, (code, progress, text) in zip(results, stages, strict=False):
        fields = {"department": "Settore Lavori Pubblici", "start_date": today - timedelta(days=200)}
        if code == "cancelled":
            fields["cancel_reason"] = (
                "Il terreno non è risultato idoneo; i fondi tornano al prossimo bilancio."
            )
        if code == "in-progress":
            fields["progress_mode"] = "milestones"
        actions.do_update_result(
            result, giulia, status=statuses[code], spent=result.budget_amount * progress // 100, **fields
        )
        if code == "in-progress":
            for title, weight in [("Progetto esecutivo", 1), ("Gara d'appalto", 1), ("Lavori", 3)]:
                milestone = actions.do_add_milestone(result, giulia, title=title, weight=weight)
                if weight == 1:
                    actions.do_complete_milestone(milestone, giulia, done_on=today - timedelta(days=30))
        if text:
            actions.do_add_update(result, marco, date=today - timedelta(days=10), text=text)
        if code == "delivered":
            result.kpis.add(adoptions["trees-planted"])
            actions.do_give_feedback(
                result,
                people["paolo@bologna.demo"],
                delivered="yes",
                rating=4,
                comment="Bello, ma serve più ombra.",
            )


def _valencia_results(city, ana, statuses, adoptions) -> None:
    programme = actions.do_create_result(
        city,
        ana,
        title="Plan de refugios climáticos",
        description="Diez refugios climáticos antes del verano de 2027.",
        department="Servicio de Educación",
        budget_amount=250_000,
        start_date=date(2025, 3, 1),
        status=statuses["in-progress"],
        progress=40,
    )
    programme.kpis.add(adoptions["sdg-11-7-1"])
    actions.do_create_result(
        city,
        ana,
        title="Patio abierto del CEIP Benimaclet",
        parent=programme,
        is_pilot=True,
        hypothesis="Abrir el patio por la tarde reduce el calor que sufren las familias sin aire "
        "acondicionado.",
        method="Apertura de 17 a 21 h en julio y agosto, con conteo de visitas y encuesta.",
        participants="Familias del barrio, AMPA y dos monitores.",
        evaluation="Visitas, temperatura en sombra y valoración de las familias.",
        status=statuses["in-progress"],
        progress=70,
        budget_amount=25_000,
    )


def _utrecht_results(city, sanne, statuses, adoptions) -> None:
    pilot = actions.do_create_result(
        city,
        sanne,
        title="Loket voor iedereen",
        description="Eén loket met tolken en begeleiding voor inwoners die moeilijk bereikt worden.",
        department="Publiekszaken",
        is_pilot=True,
        hypothesis="Een loket met begeleiding helpt meer mensen hun zaken in één keer te regelen.",
        method="Zes maanden proef in Overvecht, met en zonder begeleiding.",
        participants="1.200 bezoekers, 8 medewerkers, 3 bewonersorganisaties.",
        evaluation="Zaken in één bezoek geregeld, wachttijd en tevredenheid.",
        start_date=date(2025, 1, 6),
        end_date=date(2025, 7, 4),
        status=statuses["delivered"],
    )
    actions.do_publish_findings(
        pilot,
        sanne,
        findings="**78 %** van de bezoekers regelde alles in één bezoek (was 52 %). Het loket blijft open.",
    )
    actions.do_create_result(
        city,
        sanne,
        title="Groene straten: fase 2",
        department="Team Groen en Water",
        status=statuses["planned"],
    )
