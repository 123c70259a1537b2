from datetime import timedelta

import factory
from django.utils import timezone

from civiclab.cities.models import City
from civiclab.network.models import Manifesto
from civiclab.processes.models import Phase, PhaseKind, Process


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    country = "ES"
    languages = factory.LazyFunction(lambda: ["es", "en"])
    time_zone = "Europe/Madrid"
    population = 100_000


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Process
        skip_postgeneration_save = True

    city = factory.SubFactory(CityFactory)
    title = factory.Sequence(lambda n: f"Process {n}")
    slug = factory.Sequence(lambda n: f"process-{n}")
    summary = "A process"
    published = True

    @factory.post_generation
    def phases(self, create, extracted, **kwargs):
        """Five four-week phases, the second one active now (pass phases=False for none)."""
        if extracted is False or not create:
            return
        start = timezone.now() - timedelta(weeks=4, days=1)
        for i, kind in enumerate(PhaseKind):
            Phase.objects.create(
                process=self,
                city=self.city,
                kind=kind,
                name=str(kind.label),
                position=i,
                starts_at=start + timedelta(weeks=4 * i),
                ends_at=start + timedelta(weeks=4 * (i + 1)),
            )


class ManifestoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manifesto
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"manifesto-{n}")
    title = factory.Sequence(lambda n: f"Manifesto {n}")
    summary = "What we stand for."
