"""The survey and meeting pages of the demo network, for the accessibility walk (test_accessibility.py)."""

from civiclab.cities.models import City
from civiclab.events.models import Meeting
from civiclab.processes.models import Component
from civiclab.surveys.models import Question, Survey


def _components(city: City, kind: str, public: bool):
    qs = Component.objects.filter(city=city, kind=kind).select_related("phase__process")
    if public:
        qs = qs.filter(enabled=True, phase__process__published=True)
    return qs


def engage_paths(city: City) -> list[str]:
    paths = [f"/{city.slug}/meetings/"]
    for c in _components(city, "survey", public=True):
        base = f"/{city.slug}/processes/{c.phase.process.slug}/c/{c.pk}/survey/"
        paths += [base, f"{base}results/"]
    for c in _components(city, "meetings", public=True):
        base = f"/{city.slug}/processes/{c.phase.process.slug}/c/{c.pk}/meetings/"
        paths += [base, *(f"{base}{m.pk}/" for m in Meeting.objects.filter(component=c))]
    return paths


def staff_engage_paths(city: City) -> list[str]:
    paths = []
    for c in _components(city, "survey", public=False):
        base = f"/{city.slug}/staff/processes/{c.phase.process.slug}/c/{c.pk}/survey/"
        paths.append(base)
        # A survey component gets its survey when staff first save its settings (a replicated process
        # starts without one): the question and offline pages exist from then on.
        if Survey.objects.filter(component=c).exists():
            paths += [f"{base}questions/new/", f"{base}offline/"]
        if question := Question.objects.filter(survey__component=c).last():
            paths.append(f"{base}questions/{question.pk}/edit/")
    for c in _components(city, "meetings", public=False):
        base = f"/{city.slug}/staff/processes/{c.phase.process.slug}/c/{c.pk}/meetings/"
        paths.append(f"{base}new/")
        for m in Meeting.objects.filter(component=c):
            paths += [f"{base}{m.pk}/edit/", f"{base}{m.pk}/report/"]
    return paths
