from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Schema
from pydantic import Field

from civiclab.processes import timeline


class CitySchema(Schema):
    slug: str
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2 code")
    languages: list[str] = Field(description="language codes; the first is the city's default")
    time_zone: str
    population: int | None
    url: str

    @staticmethod
    def resolve_country(city) -> str:
        return city.country.code

    @staticmethod
    def resolve_url(city) -> str:
        return reverse("cities:home", args=[city.slug])


class PhaseSchema(Schema):
    position: int
    kind: str = Field(description="diagnosis, co_design, decision, delivery or evaluation")
    name: str
    starts_at: datetime
    ends_at: datetime


class ProcessSchema(Schema):
    slug: str
    title: str
    summary: str
    stage: str = Field(description="upcoming, active, between, finished or unscheduled")
    active_phase: int | None = Field(description="position of the active phase, if any")
    phases: list[PhaseSchema]
    url: str
    created_at: datetime

    @staticmethod
    def resolve_phases(process) -> list:
        return list(process.phases.all())

    @staticmethod
    def resolve_stage(process) -> str:
        return timeline.stage(list(process.phases.all()), timezone.now()).value

    @staticmethod
    def resolve_active_phase(process) -> int | None:
        active = timeline.active_phase(list(process.phases.all()), timezone.now())
        return active.position if active else None

    @staticmethod
    def resolve_url(process) -> str:
        return reverse("processes:detail", args=[process.city.slug, process.slug])


class ErrorSchema(Schema):
    detail: str | list
