"""The demo network's surveys, in each city's language, made through the same actions as the pages.

Utrecht's survey is anonymous and has answers typed in from a street kiosk, enough to show its results
(groups under 10 stay hidden); València's asks the demographic block of people who consented."""

from civiclab.processes.actions import do_add_component

from . import actions

SURVEYS = {
    "huerta-y-clima": {
        "admin": "ana@valencia.demo",
        "title": "Encuesta: el calor en tu barrio",
        "intro": "Cuéntanos cómo vives las olas de calor. **Tardarás unos cinco minutos.**",
        "settings": {"ask_demographics": True, "districts": ["Ciutat Vella", "Benimaclet", "Russafa"]},
        "questions": [
            (
                "single",
                "¿Cómo llevas el calor en casa?",
                {"required": True, "options": ["Bien", "Regular", "Mal"]},
            ),
            ("long_text", "¿Qué te ayudaría en casa?", {"condition": (0, 2)}),
            (
                "multiple",
                "¿Dónde te refugias del calor?",
                {"options": ["Biblioteca", "Parque", "Centro comercial", "En casa"]},
            ),
            (
                "scale",
                "¿Cuánta sombra hay en tu calle?",
                {"scale_min": 1, "scale_max": 5, "min_label": "Ninguna", "max_label": "Mucha"},
            ),
            ("ranking", "Ordena estas medidas", {"options": ["Árboles", "Toldos", "Fuentes"]}),
            (
                "matrix",
                "¿Cómo valoras estos lugares en verano?",
                {
                    "rows": ["Plazas", "Paradas de autobús"],
                    "options": ["Agradable", "Soportable", "Insoportable"],
                },
            ),
            ("short_text", "¿En qué calle vives?", {}),
        ],
    },
    "piano-quartieri": {
        "admin": "giulia@bologna.demo",
        "title": "Questionario: i servizi vicino a casa",
        "intro": "Quali servizi di prossimità usi e quali mancano nel tuo quartiere?",
        "settings": {},
        "questions": [
            (
                "multiple",
                "Quali servizi usi ogni settimana?",
                {
                    "required": True,
                    "options": ["Biblioteca", "Centro anziani", "Ambulatorio", "Sportello comunale"],
                },
            ),
            ("long_text", "Che cosa manca nel tuo quartiere?", {}),
            (
                "scale",
                "Quanto ti senti ascoltato dal Comune?",
                {"scale_min": 0, "scale_max": 10, "min_label": "Per niente", "max_label": "Moltissimo"},
            ),
        ],
    },
    "groene-straten": {
        "admin": "sanne@utrecht.demo",
        "title": "Enquête: hoe groen is jouw straat?",
        "intro": "Anonieme enquête. Ook ingevuld bij de kiosk op het Vredenburgplein.",
        "settings": {"anonymous": True, "results_while_open": True},
        "questions": [
            (
                "single",
                "Wat wil je het liefst in je straat?",
                {"required": True, "options": ["Bomen", "Geveltuinen", "Bankjes"]},
            ),
            (
                "scale",
                "Hoe groen is je straat nu?",
                {
                    "required": True,
                    "scale_min": 1,
                    "scale_max": 5,
                    "min_label": "Grijs",
                    "max_label": "Groen",
                },
            ),
            (
                "multiple",
                "Wie zou meehelpen met onderhoud?",
                {"options": ["Ikzelf", "Mijn buren", "De gemeente"]},
            ),
            ("short_text", "Welke straat?", {}),
        ],
    },
}

# Kiosk answers in Utrecht: (wish, scale, helpers). Three people want benches: too few to show, and
# "Geveltuinen" is hidden with them, or 25 - 12 - 10 would give them away.
KIOSK = [(0, 4, [0, 2])] * 12 + [(1, 3, [1, 2])] * 10 + [(2, 2, [2])] * 3


def load(cities, people, processes) -> None:
    for slug, spec in SURVEYS.items():
        process = processes[slug]
        admin = people[spec["admin"]]
        component = do_add_component(process.active_phase(), admin, kind="survey", title=spec["title"])
        survey = actions.do_create_survey(component, admin, intro=spec["intro"], **spec["settings"])
        questions = []
        for kind, text, extra in spec["questions"]:
            extra = dict(extra)
            condition = extra.pop("condition", None)
            if condition is not None:
                extra["condition_question"], extra["condition_option"] = questions[condition[0]], condition[1]
            questions.append(actions.do_add_question(survey, admin, kind=kind, text=text, **extra))
        if slug == "groene-straten":
            for wish, scale, helpers in KIOSK:
                raw = {questions[0].pk: wish, questions[1].pk: scale, questions[2].pk: helpers}
                actions.do_record_offline_answer(survey, admin, channel="in_person", raw=raw)
        if slug == "piano-quartieri":
            raw = {questions[0].pk: [0, 2], questions[1].pk: "Un centro per i ragazzi.", questions[2].pk: 6}
            actions.do_answer_survey(survey, people["paolo@bologna.demo"], raw)
