"""The demo conversation: seed statements and synthetic voters drawn from three opinion profiles, so that
the report shows three groups. Deterministic (a seeded generator), and written in bulk so that loading
the demo stays fast."""

from datetime import timedelta

import numpy as np
from django.utils import timezone

from civiclab.processes.models import Process

from .actions import ImportedVote, do_create_conversation, do_recompute_report, load_statements_and_votes

STATEMENTS = [
    # Everyone agrees (the common ground the report should find).
    "Los refugios climáticos deben estar a menos de diez minutos a pie de cada casa.",
    # Profile A: greenery and the huerta.
    "Hay que plantar árboles de sombra en todas las calles del barrio.",
    "La huerta periurbana debe protegerse de nuevas construcciones.",
    "Los patios de los colegios deben convertirse en jardines abiertos en verano.",
    "Quiero más fuentes de agua potable en plazas y parques.",
    "Los solares vacíos deben convertirse en huertos urbanos.",
    "Prefiero parques con césped y árboles aunque gasten más agua.",
    # Profile B: buildings and technology.
    "Los edificios públicos con aire acondicionado deben abrir como refugio.",
    "La prioridad es aislar las viviendas de las familias con menos recursos.",
    "Las bibliotecas deberían abrir hasta medianoche en las olas de calor.",
    "Hay que instalar toldos y pérgolas en las calles comerciales.",
    "Los avisos de calor deben llegar por SMS a las personas mayores.",
    "Las paradas de autobús necesitan sombra y bancos frescos.",
    # Profile C: traffic and the economy.
    "Hay que quitar carriles de coche para ganar sombra y verde.",
    "Los coches deben pagar por aparcar en el centro en verano.",
    "El horario laboral debería adaptarse en las olas de calor.",
    "Las terrazas de bares deberían poder ocupar más espacio con toldos.",
    "El ayuntamiento debería subvencionar el aire acondicionado en casa.",
    "Hay que pintar de blanco las cubiertas de los edificios municipales.",
    "Los mercados municipales deberían abrir por la tarde en verano.",
]
PEOPLE = 120
NOISE = 0.1  # one answer in ten is random


def synthetic_votes(n_statements: int, seed: int = 2027) -> list[ImportedVote]:
    rng = np.random.default_rng(seed)
    profiles = -np.ones((3, n_statements), dtype=int)
    block = (n_statements - 1) // 3
    for g in range(3):
        profiles[g, 1 + g * block : 1 + (g + 1) * block] = 1
    profiles[:, 0] = 1
    now = timezone.now()
    votes = []
    for pid in range(PEOPLE):
        joined = now - timedelta(days=int(rng.integers(0, 10)), minutes=int(rng.integers(0, 600)))
        for tid in range(n_statements):
            value = int(profiles[pid % 3, tid]) if rng.random() >= NOISE else int(rng.choice([-1, 0, 1]))
            votes.append(ImportedVote(pid=pid, tid=tid, value=value, at=joined + timedelta(seconds=20 * tid)))
    return votes


def load_demo_conversation(city, admin):
    process = Process.objects.get(city=city, slug="huerta-y-clima")
    conversation = do_create_conversation(
        city,
        admin,
        topic="¿Cómo nos protegemos del calor?",
        slug="calor",
        description=(
            "Vota las propuestas de otros vecinos y añade las tuyas. **Sin cuenta**: basta con el enlace."
        ),
        phase=process.phases.order_by("position").first(),
        participation="link",
        moderation="post",
        published=True,
        seeds=STATEMENTS,
    )
    load_statements_and_votes(conversation, [], synthetic_votes(len(STATEMENTS)))
    do_recompute_report(conversation)
    return conversation
