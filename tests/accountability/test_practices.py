import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civiclab.accountability.models import Kpi
from civiclab.network.actions import do_comment_practice, do_publish_practice, do_replicate_practice
from civiclab.network.models import Practice
from civiclab.processes.actions import do_add_component
from civiclab.processes.models import Component, Phase, Process


@pytest.fixture
def practice(aurora, alice, aurora_process):
    phase = aurora_process.phases.get(position=1)
    do_add_component(phase, alice, kind="proposals", title="Ideas for shade", settings={})
    return do_publish_practice(
        aurora,
        alice,
        slug="shade-labs",
        title="Shade labs",
        summary="Neighbours co-design shade.",
        problem="Hot squares.",
        topic="climate",
        sdg_target="11.7",
        source_process=aurora_process,
        kpis=[Kpi.objects.get(city__isnull=True, code="sdg-11-7-1")],
    )


def test_replicating_copies_phases_with_relative_dates_and_components_into_a_draft(
    practice, borealis, dave, aurora_process
):
    replication = do_replicate_practice(practice, borealis, dave)
    copy = replication.process
    assert copy.city == borealis and not copy.published
    source = list(aurora_process.phases.order_by("position"))
    copied = list(Phase.objects.filter(process=copy).order_by("position"))
    assert [p.kind for p in copied] == [p.kind for p in source]
    assert [p.ends_at - p.starts_at for p in copied] == [p.ends_at - p.starts_at for p in source]
    assert copied[1].starts_at - copied[0].starts_at == source[1].starts_at - source[0].starts_at
    [component] = Component.objects.filter(phase__process=copy)
    assert (component.kind, component.title, component.phase.position, component.city) == (
        "proposals",
        "Ideas for shade",
        1,
        borealis,
    )
    assert reverse("network:practice", args=["shade-labs"]) in copy.description
    practice.refresh_from_db()
    assert practice.replication_count == 1


def test_a_city_cannot_replicate_its_own_practice(practice, aurora, alice):
    with pytest.raises(ValidationError):
        do_replicate_practice(practice, aurora, alice)


def test_replicate_from_the_page_takes_a_city_admin_of_another_city_to_the_draft(client, practice, dave):
    client.force_login(dave)
    page = client.get(reverse("network:practice", args=["shade-labs"]))
    assert [c.slug for c in page.context["replicate_cities"]] == ["borealis"]
    response = client.post(reverse("accountability:practice_replicate", args=["borealis", "shade-labs"]))
    assert response.status_code == 302
    assert Process.objects.filter(city__slug="borealis", published=False).count() == 1


def test_only_staff_of_other_cities_comment(practice, aurora, borealis, alice, dave):
    with pytest.raises(ValidationError):
        do_comment_practice(practice, aurora, alice, body="Ours")
    comment = do_comment_practice(practice, borealis, dave, body="Tried it in Borealis too.")
    assert comment.role == "admin"


def test_the_library_filters_by_topic_sdg_size_and_country(client, practice):
    url = reverse("network:practices")
    assert [
        p.slug
        for p in client.get(url, {"topic": "climate", "sdg": "11", "country": "ES"}).context["practices"]
    ] == ["shade-labs"]
    assert list(client.get(url, {"size": "large"}).context["practices"]) == []
    assert [p.slug for p in client.get(url, {"size": "medium", "q": "shade"}).context["practices"]] == [
        "shade-labs"
    ]


def test_the_network_view_highlights_the_practices_behind_a_kpi(client, practice, aurora, alice):
    from datetime import date

    from civiclab.accountability.actions import do_adopt_kpi

    do_adopt_kpi(
        aurora,
        alice,
        Kpi.objects.get(city__isnull=True, code="sdg-11-7-1"),
        baseline_value=10,
        baseline_date=date(2022, 1, 1),
    )
    rows = client.get(reverse("network:kpi", args=["sdg-11-7-1"])).context["rows"]
    assert [p.slug for p in rows[0].practices] == ["shade-labs"]


def test_staff_publish_a_practice_through_the_form(client, aurora, alice, aurora_process):
    client.force_login(alice)
    url = reverse("accountability:practice_new", args=["aurora"])
    bad = client.post(url, {"title": "Kept title"})
    assert bad.status_code == 400 and "Kept title" in bad.content.decode()
    ok = client.post(
        url,
        {
            "title": "Open schoolyards",
            "slug": "open-schoolyards",
            "kind": "process",
            "summary": "S",
            "problem": "P",
            "licence": "CC BY 4.0",
            "topic": "inclusion",
            "language": "es",
            "source_process": aurora_process.pk,
        },
    )
    assert ok.status_code == 302 and Practice.objects.filter(slug="open-schoolyards", city=aurora).exists()


def test_practices_of_cities_with_strong_progress_are_highlighted(client, practice, aurora, alice):
    from datetime import date

    from civiclab.accountability.actions import do_adopt_kpi, do_record_measurement

    kpi = Kpi.objects.get(city__isnull=True, code="sdg-11-7-1")
    adoption = do_adopt_kpi(aurora, alice, kpi, baseline_value=10, baseline_date=date(2022, 1, 1))
    assert client.get(reverse("network:kpi", args=["sdg-11-7-1"])).context["strong"] == []
    do_record_measurement(adoption, alice, date=date(2024, 1, 1), value=12, source="GIS")  # +20 %
    strong = client.get(reverse("network:kpi", args=["sdg-11-7-1"])).context["strong"]
    assert [(c.slug, p.slug) for c, p in strong] == [("aurora", "shade-labs")]
