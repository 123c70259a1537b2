"""The demo network's proposals and debates, made through the same actions as the pages: in each city's
running co-design or diagnosis phase, a proposals component (with supports, comments, an amendment and
an official answer) and a debate closed with a conclusion."""

from django.utils import timezone

from civiclab.processes.actions import do_add_component

from . import actions

# city -> (process slug, component titles, categories, districts, proposals, comments, debate)
DEMO = {
    "valencia": {
        "process": "huerta-y-clima",
        "titles": ("Propuestas vecinales", "Debates"),
        "categories": ["Sombra y verde", "Agua", "Espacios públicos"],
        "districts": ["Ciutat Vella", "Benimaclet", "Russafa"],
        "author": "lucia@valencia.demo",
        "staff": "ana@valencia.demo",
        "evaluator": "jordi@valencia.demo",
        "proposals": [
            (
                "Refugio climático en la biblioteca de Russafa",
                "Abrir la biblioteca **hasta las 22 h** en julio y agosto, con agua fresca y sillas "
                "para personas mayores.",
                "Espacios públicos",
                "Russafa",
                ("39.46220", "-0.37270"),
            ),
            (
                "Toldos en la plaza de Benimaclet",
                "Toldos de tela entre los árboles de la plaza, de junio a septiembre.",
                "Sombra y verde",
                "Benimaclet",
                None,
            ),
            (
                "Fuentes en los patios escolares",
                "Una fuente de agua potable en cada patio escolar abierto en verano.",
                "Agua",
                "Ciutat Vella",
                None,
            ),
        ],
        "comments": ["Muy buena idea, mi madre no tiene aire acondicionado.", "¿Y los fines de semana?"],
        "amendment": "Abrir la biblioteca **hasta las 22 h** en julio y agosto, también los fines de semana, "
        "con agua fresca y sillas para personas mayores.",
        "answer": "Lo estudiamos con el servicio de bibliotecas; respuesta antes de mayo.",
        "debate": (
            "¿Debe cerrarse al tráfico el centro en los días de ola de calor?",
            [
                ("pro", "Menos coches, menos calor y mejor aire."),
                ("con", "Las personas con movilidad reducida necesitan llegar en coche."),
            ],
            "Se propone un piloto con excepciones para personas con movilidad reducida y reparto.",
        ),
    },
    "bologna": {
        "process": "piano-quartieri",
        "titles": ("Proposte dei cittadini", "Dibattiti"),
        "categories": ["Servizi di prossimità", "Verde", "Mobilità"],
        "districts": ["Navile", "Savena", "Santo Stefano"],
        "author": "paolo@bologna.demo",
        "staff": "giulia@bologna.demo",
        "evaluator": "giulia@bologna.demo",
        "proposals": [
            (
                "Casa di quartiere aperta la sera al Navile",
                "Uno spazio per **giovani e anziani** aperto fino alle 23, con attività gestite dalle "
                "associazioni.",
                "Servizi di prossimità",
                "Navile",
                ("44.51560", "11.34270"),
            ),
            (
                "Piedibus per le scuole del Savena",
                "Percorsi sicuri a piedi con volontari, tre mattine a settimana.",
                "Mobilità",
                "Savena",
                None,
            ),
        ],
        "comments": ["Serve anche una sala studio.", "Sono disponibile come volontario."],
        "amendment": "Uno spazio per **giovani e anziani** aperto fino alle 23, con una sala studio e "
        "attività gestite dalle associazioni.",
        "answer": "Accolta: la casa di quartiere aprirà la sera da settembre.",
        "debate": (
            "Le piazze del centro vanno chiuse alle auto la domenica?",
            [
                ("pro", "Più spazio per famiglie e mercati."),
                ("con", "I negozi temono meno clienti."),
            ],
            "Prova di sei mesi in piazza Santo Stefano, con un monitoraggio delle vendite.",
        ),
    },
    "utrecht": {
        "process": "groene-straten",
        "titles": ("Ideeën van bewoners", "Debatten"),
        "categories": ["Groen", "Water", "Spelen"],
        "districts": ["Lombok", "Overvecht", "Zuilen"],
        "author": "fatima@utrecht.demo",
        "staff": "sanne@utrecht.demo",
        "evaluator": "daan@utrecht.demo",
        "proposals": [
            (
                "Geveltuinen in Lombok",
                "Stoeptegels eruit, **geveltuinen** erin: de gemeente levert planten en aarde.",
                "Groen",
                "Lombok",
                ("52.09060", "5.10240"),
            ),
            (
                "Waterpleintje in Overvecht",
                "Een speelplein dat bij hevige regen water opvangt.",
                "Water",
                "Overvecht",
                None,
            ),
        ],
        "comments": ["Ik help graag mee met planten.", "Kunnen we ook regentonnen krijgen?"],
        "amendment": "Stoeptegels eruit, **geveltuinen** en regentonnen erin: de gemeente levert planten "
        "en aarde.",
        "answer": "Wordt beoordeeld met de wijkraad; besluit in het voorjaar.",
        "debate": (
            "Moeten parkeerplaatsen plaatsmaken voor bomen?",
            [("pro", "Koelere straten in de zomer."), ("con", "Bewoners met een auto verliezen plek.")],
            "Per straat beslissen bewoners samen; minstens één op de tien plekken wordt groen.",
        ),
    },
}


def load(cities, people, processes) -> None:
    now = timezone.now()
    for city_slug, spec in DEMO.items():
        process = processes[spec["process"]]
        phase = next(p for p in process.phases.all() if p.starts_at <= now < p.ends_at)
        staff, author, evaluator = people[spec["staff"]], people[spec["author"]], people[spec["evaluator"]]
        ideas = do_add_component(
            phase,
            staff,
            kind="proposals",
            title=spec["titles"][0],
            settings={
                "support_threshold": 2,
                "categories": spec["categories"],
                "districts": spec["districts"],
            },
        )
        made = []
        for title, body, category, district, place in spec["proposals"]:
            lat, lon = place or (None, None)
            made.append(
                actions.do_submit_proposal(
                    ideas,
                    author,
                    title=title,
                    body=body,
                    category=category,
                    district=district,
                    latitude=lat,
                    longitude=lon,
                )
            )
        first = made[0]
        actions.do_support(first, staff)
        actions.do_record_offline_support(
            first, staff, channel="paper", name="Demo resident", identity_number=f"{city_slug}-0001"
        )
        actions.do_support(made[1], staff)
        comment = actions.do_comment(staff, body=spec["comments"][0], proposal=first)
        actions.do_comment(author, body=spec["comments"][1], proposal=first, parent=comment)
        actions.do_vote_comment(comment, author, 1)
        amendment = actions.do_propose_amendment(first, staff, body=spec["amendment"])
        actions.do_decide_amendment(amendment, author, accept=True)
        actions.do_endorse(
            first,
            staff,
            {"valencia": "AVV Russafa", "bologna": "Arci Navile"}.get(city_slug, "Buurtteam Lombok"),
        )
        actions.do_answer(
            first,
            evaluator,
            state="accepted" if city_slug == "bologna" else "evaluating",
            reason=spec["answer"],
        )

        debates = do_add_component(phase, staff, kind="debates", title=spec["titles"][1])
        question, arguments, conclusion = spec["debate"]
        debate = actions.do_create_debate(debates, staff, title=question)
        for side, text in arguments:
            argument = actions.do_add_argument(
                debate, author if side == "pro" else staff, side=side, text=text
            )
        actions.do_comment(author, body=spec["comments"][1], argument=argument)
        actions.do_close_debate(debate, staff, conclusion=conclusion)
        if city_slug == "valencia":
            # The moderation queue holds something: a hidden comment, reported, with its author's appeal.
            moderator = people["jordi@valencia.demo"]
            spam = actions.do_comment(
                author, body="Compro y vendo entradas de fútbol, escríbeme.", proposal=made[1]
            )
            actions.do_report(staff, spam, "Publicidad, no tiene que ver con la propuesta.")
            actions.do_moderate(spam, moderator, decision="hide", reason="Publicidad fuera de tema.")
            actions.do_appeal(spam, author, "Era una broma entre vecinos, lo siento.")
        # A second, open debate, so the demo shows both states.
        open_debate = actions.do_create_debate(debates, staff, title=spec["titles"][1] + ": " + made[1].title)
        actions.do_add_argument(open_debate, author, side="pro", text=spec["comments"][0])
