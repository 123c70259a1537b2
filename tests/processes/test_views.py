import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civiclab.processes.models import Process
from tests.factories import ProcessFactory


def form_data(phases, **process):
    data = {
        "process-title": "Cooler schools",
        "process-slug": "cooler-schools",
        "process-summary": "",
        "process-description": "Shade **and** water",
        "process-published": "on",
        "phases-TOTAL_FORMS": str(len(phases)),
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "12",
    }
    data.update({f"process-{k}": v for k, v in process.items()})
    for i, (kind, name, start, end) in enumerate(phases):
        data.update(
            {
                f"phases-{i}-kind": kind,
                f"phases-{i}-name": name,
                f"phases-{i}-starts_at": start,
                f"phases-{i}-ends_at": end,
                f"phases-{i}-description": "",
            }
        )
    return data


def test_a_city_admin_creates_a_process_with_phases_in_the_city_time_zone(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("processes:new", args=["aurora"]),
        form_data(
            [
                ("diagnosis", "Listen", "2027-01-10T09:00", "2027-02-10T09:00"),
                ("co_design", "Design", "2027-02-10T09:00", "2027-03-10T09:00"),
                ("decision", "Decision", "", ""),  # an untouched row of the standard phases is skipped
            ]
        ),
    )
    assert response.status_code == 302
    process = Process.objects.get(slug="cooler-schools")
    assert response.url == reverse("processes:detail", args=["aurora", "cooler-schools"])
    assert [p.name for p in process.phases.all()] == ["Listen", "Design"]
    assert process.phases.first().starts_at.isoformat() == "2027-01-10T08:00:00+00:00"  # Madrid is UTC+1
    assert process.created_by == alice


def test_overlapping_phases_show_an_error_and_save_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("processes:new", args=["aurora"]),
        form_data(
            [
                ("diagnosis", "Listen", "2027-01-10T09:00", "2027-02-10T09:00"),
                ("co_design", "Design", "2027-02-01T09:00", "2027-03-10T09:00"),
            ]
        ),
    )
    assert response.status_code == 400
    assert "overlap" in response.content.decode()
    assert not Process.objects.exists()


def test_a_phase_that_ends_before_it_starts_is_an_error_on_its_field(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("processes:new", args=["aurora"]),
        form_data(
            [
                ("diagnosis", "Listen", "2027-03-10T09:00", "2027-02-10T09:00"),
            ]
        ),
    )
    assert response.status_code == 400
    assert "ends_at" in response.context["formset"].forms[0].errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_editing_keeps_phase_ids(client, alice, aurora_process):
    client.force_login(alice)
    phases = list(aurora_process.phases.all())
    data = form_data([], title="Green streets!", slug=aurora_process.slug)
    data.update({"phases-TOTAL_FORMS": "2", "phases-INITIAL_FORMS": "2"})
    for i, p in enumerate(phases[:2]):
        data.update(
            {
                f"phases-{i}-id": p.pk,
                f"phases-{i}-kind": p.kind,
                f"phases-{i}-name": f"Renamed {i}",
                f"phases-{i}-starts_at": p.starts_at.strftime("%Y-%m-%dT%H:%M"),
                f"phases-{i}-ends_at": p.ends_at.strftime("%Y-%m-%dT%H:%M"),
            }
        )
    response = client.post(reverse("processes:edit", args=["aurora", aurora_process.slug]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    aurora_process.refresh_from_db()
    assert aurora_process.title == "Green streets!"
    assert list(aurora_process.phases.values_list("pk", "name")) == [
        (phases[0].pk, "Renamed 0"),
        (phases[1].pk, "Renamed 1"),
    ]


def test_moderators_cannot_create_processes(client, bob):
    client.force_login(bob)
    assert client.get(reverse("processes:new", args=["aurora"])).status_code == 403


def test_the_process_page_marks_the_active_phase(client, aurora_process):
    content = client.get(reverse("processes:detail", args=["aurora", aurora_process.slug])).content.decode()
    assert 'aria-current="step"' in content
    assert content.count('aria-current="step"') == 1


def test_markdown_in_descriptions_is_sanitised(client, aurora):
    ProcessFactory(
        city=aurora, slug="xss", description="<script>alert(1)</script> [x](javascript:alert(1)) **ok**"
    )
    content = client.get(reverse("processes:detail", args=["aurora", "xss"])).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert 'href="javascript:' not in content
    assert "<strong>ok</strong>" in content


@pytest.mark.parametrize("path", ["/", "/aurora/", "/aurora/staff/"])
def test_page_queries_do_not_grow_with_the_number_of_processes(client, alice, aurora, borealis, path):
    client.force_login(alice)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    ProcessFactory(city=aurora)
    ProcessFactory(city=borealis)
    count()  # warm: the first request also fills caches
    few = count()
    for _ in range(5):
        ProcessFactory(city=aurora)
        ProcessFactory(city=borealis)
    assert count() == few
