from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from civiclab.accountability import actions, calculators, selectors
from civiclab.accountability.kpimath import Standing
from civiclab.accountability.models import ApiToken, Kpi, Measurement
from civiclab.core.models import AuditEvent

from .conftest import status

TODAY = timezone.localdate


def test_the_catalogue_is_seeded_with_sdg_and_civiclab_indicators(db):
    codes = set(Kpi.objects.filter(city__isnull=True).values_list("code", flat=True))
    assert {
        "sdg-11-6-2",
        "sdg-16-7-2",
        "civiclab-participants",
        "civiclab-delivered",
        "civiclab-rating",
    } <= codes


@pytest.mark.parametrize(
    "value, day, unit, field",
    [
        ("101", None, None, "value"),
        ("-1", None, None, "value"),
        ("abc", None, None, "value"),
        ("50", "future", None, "date"),
        ("50", None, "count", "unit"),
    ],
)
def test_bad_measurements_are_refused_with_a_clear_error(adoption, alice, value, day, unit, field):
    day = TODAY() + timedelta(days=3) if day == "future" else TODAY()
    with pytest.raises(ValidationError) as exc:
        actions.do_record_measurement(adoption, alice, date=day, value=value, source="GIS", unit=unit)
    assert field in exc.value.message_dict
    assert not Measurement.objects.exists()


def test_a_correction_supersedes_the_old_value_which_stays_in_the_history(client, adoption, alice):
    first = actions.do_record_measurement(adoption, alice, date=TODAY(), value="21", source="GIS")
    with pytest.raises(ValidationError):
        actions.do_correct_measurement(first, alice, value="22", source="GIS", note="")
    new = actions.do_correct_measurement(first, alice, value="22", source="GIS", note="Typo")
    first.refresh_from_db()
    assert first.value == Decimal("21") and first.superseded_by == new
    assert [m.value for m in selectors.series_of(adoption)] == [Decimal("22")]
    page = client.get(reverse("accountability:kpi", args=["aurora", "sdg-11-7-1"]))
    assert [m.pk for m in page.context["history"]] == [first.pk]
    with pytest.raises(ValidationError):
        actions.do_correct_measurement(first, alice, value="23", source="GIS", note="again")


def test_a_csv_of_measurements_is_recorded_whole_or_not_at_all(adoption, alice):
    good = f"date,value,source\n{TODAY() - timedelta(days=60)},21,GIS\n{TODAY()},22,GIS,checked\n"
    assert actions.do_import_measurements_csv(adoption, alice, good) == 2
    bad = f"{TODAY()},23,GIS\n2020-13-01,24,GIS\n{TODAY()},140,GIS\n"
    with pytest.raises(ValidationError) as exc:
        actions.do_import_measurements_csv(adoption, alice, bad)
    assert exc.value.messages == [
        "Line 2: write the date as YYYY-MM-DD.",
        "Line 3: A percentage is between 0 and 100.",
    ]
    assert Measurement.objects.count() == 2


def test_standing_compares_progress_with_the_time_elapsed(adoption, alice):
    assert selectors.dashboard(adoption.city)[0].standing == Standing.NO_DATA
    actions.do_record_measurement(adoption, alice, date=TODAY(), value="26", source="GIS")
    assert selectors.dashboard(adoption.city)[0].standing == Standing.ON_TRACK  # 60 % done at half time
    actions.do_record_measurement(adoption, alice, date=TODAY(), value="21", source="GIS")
    assert selectors.dashboard(adoption.city)[0].standing == Standing.OFF_TRACK


def test_computed_kpis_measure_themselves_and_other_apps_can_register_calculators(aurora, alice, delivered):
    kpi = Kpi.objects.get(city__isnull=True, code="civiclab-delivered")
    adoption = actions.do_adopt_kpi(aurora, alice, kpi, baseline_value=0, baseline_date=date(2024, 1, 1))
    actions.do_create_result(aurora, alice, title="Not yet")
    assert actions.do_refresh_computed(aurora, alice) == 1
    assert selectors.series_of(adoption)[0].value == Decimal("50.0")
    assert actions.do_refresh_computed(aurora, alice) == 0  # unchanged: nothing new
    calculators.register_calculator("test_answered", lambda city, on: Decimal("42"))
    assert calculators.get_calculator("test_answered")(aurora, TODAY()) == Decimal("42")


def test_a_city_proposes_its_own_kpi_and_the_network_admin_accepts_it(client, aurora, alice, nadia):
    kpi = actions.do_create_city_kpi(
        aurora, alice, code="shade-points", name="Shade points", definition="Shaded places", unit="count"
    )
    actions.do_propose_kpi(kpi, alice)
    client.force_login(nadia)
    assert [k.pk for k in client.get(reverse("network:kpi_proposals")).context["proposals"]] == [kpi.pk]
    client.post(reverse("network:kpi_proposals"), {"kpi": kpi.pk, "decision": "accept"})
    kpi.refresh_from_db()
    assert kpi.city is None and kpi.contributed_by == aurora and kpi.status == "catalogue"


def test_the_dashboard_and_the_kpi_page_run_a_constant_number_of_queries(
    client, aurora, alice, django_assert_max_num_queries
):
    for code in ["sdg-11-7-1", "sdg-11-6-1", "sdg-16-7-2"]:
        a = actions.do_adopt_kpi(
            aurora,
            alice,
            Kpi.objects.get(city__isnull=True, code=code),
            baseline_value=10,
            baseline_date=date(2020, 1, 1),
            target_value=20,
            target_date=date(2030, 1, 1),
        )
        for month in range(1, 13):
            actions.do_record_measurement(
                a, alice, date=date(2024, month, 1), value=str(10 + month / 2), source="x"
            )
    with django_assert_max_num_queries(6):
        page = client.get(reverse("accountability:dashboard", args=["aurora"]))
    assert len(page.context["rows"]) == 3
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accountability:kpi", args=["aurora", "sdg-11-7-1"]))
    body = page.content.decode()
    assert "<svg" in body and 'role="img"' in body and "<table>" in body
    with django_assert_max_num_queries(8):
        client.get(reverse("network:kpi", args=["sdg-11-7-1"]))


def test_the_network_view_is_by_city_name_against_each_citys_baseline(
    client, adoption, borealis_adoption, alice, dave
):
    actions.do_record_measurement(adoption, alice, date=TODAY(), value="24", source="x")
    actions.do_record_measurement(borealis_adoption, dave, date=TODAY(), value="20", source="x")
    page = client.get(reverse("network:kpi", args=["sdg-11-7-1"]))
    rows = page.context["rows"]
    assert [r.city.name for r in rows] == ["Aurora", "Borealis"]
    assert rows[0].change == pytest.approx(0.2) and rows[1].change == pytest.approx(-0.2)
    assert "not a league table" in page.content.decode()


def test_api_token_writes_measurements_until_it_expires_or_is_revoked(client, adoption, alice):
    token, raw = actions.do_create_api_token(adoption.city, alice, name="Sensors", days=30)
    assert token.token_hash != raw and raw not in str(ApiToken.objects.values_list())
    url = "/api/v1/cities/aurora/kpis/sdg-11-7-1/measurements"
    body = {"date": str(TODAY()), "value": "23.5", "unit": "percent", "source": "Sensor"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    ok = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 201 and ok.json()["value"] == "23.5"
    wrong = client.post(
        url, {**body, "unit": "count"}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert wrong.status_code == 422 and "unit" in wrong.json()["detail"]
    other = client.post(
        url.replace("aurora", "borealis"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert other.status_code in (401, 404)
    actions.do_revoke_api_token(token, alice)
    assert (
        client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        ).status_code
        == 401
    )
    assert AuditEvent.objects.filter(action__in=["api_token.created", "api_token.revoked"]).count() == 2


def test_an_expired_token_is_refused(adoption, alice):
    token, raw = actions.do_create_api_token(adoption.city, alice, name="Old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert actions.check_token(adoption.city, raw, "kpi:write") is None


def test_the_token_page_shows_a_new_token_once(client, aurora, alice):
    client.force_login(alice)
    page = client.post(reverse("accountability:tokens", args=["aurora"]), {"name": "Sensors", "days": "30"})
    assert page.context["shown"].startswith("clk_") and page["Cache-Control"] == "no-store"
    assert (
        page.context["shown"]
        not in client.get(reverse("accountability:tokens", args=["aurora"])).content.decode()
    )


def test_the_read_api_lists_results_kpis_and_the_catalogue(client, delivered, adoption, alice):
    delivered.kpis.add(adoption)
    actions.do_record_measurement(adoption, alice, date=TODAY(), value="24", source="x")
    results = client.get("/api/v1/cities/aurora/results").json()
    assert results["count"] == 1 and results["items"][0]["status_kind"] == "delivered"
    assert results["items"][0]["kpis"] == ["sdg-11-7-1"]
    kpis = client.get("/api/v1/cities/aurora/kpis").json()
    assert kpis["items"][0]["latest_value"] == "24.0000" or kpis["items"][0]["latest_value"] == "24"
    assert client.get("/api/v1/network/kpis?limit=100").json()["count"] >= 12
    assert client.get("/api/v1/network/practices").json()["count"] == 0


def test_exports_as_csv_and_json(client, delivered, adoption, alice):
    actions.do_record_measurement(adoption, alice, date=TODAY(), value="24", source="x")
    csv = client.get(reverse("accountability:results_export", args=["aurora", "csv"]))
    assert csv["Content-Disposition"].startswith("attachment") and b"New benches" in csv.content
    data = client.get(reverse("accountability:kpis_export", args=["aurora", "json"])).json()
    assert data[0]["kpi"] == "sdg-11-7-1" and data[0]["value"] == "24.0000"
    assert client.get(reverse("accountability:kpis_export", args=["aurora", "xml"])).status_code == 404


def test_results_that_aim_at_a_kpi_are_shown_on_its_page(client, delivered, adoption):
    delivered.kpis.add(adoption)
    page = client.get(reverse("accountability:kpi", args=["aurora", "sdg-11-7-1"]))
    assert [r.pk for r in page.context["results"]] == [delivered.pk]


def test_staff_enter_a_measurement_by_hand_and_see_the_error_for_a_future_date(client, adoption, erin):
    client.force_login(erin)
    url = reverse("accountability:measurements", args=["aurora", "sdg-11-7-1"])
    future = TODAY() + timedelta(days=5)
    bad = client.post(url, {"date": future, "value": "22", "unit": "percent", "source": "GIS"})
    assert bad.status_code == 400 and "The date is in the future." in bad.content.decode()
    assert (
        client.post(url, {"date": TODAY(), "value": "22", "unit": "percent", "source": "GIS"}).status_code
        == 302
    )


def test_status_helper_is_shared(aurora):
    assert status(aurora, "planned").kind == "planned"


def test_api_measurement_posts_are_rate_limited_per_token(client, adoption, alice, monkeypatch):
    from civiclab.accountability import api

    monkeypatch.setattr(api, "API_POSTS", (1, 60))
    _token, raw = actions.do_create_api_token(adoption.city, alice, name="Sensors", days=30)
    url = "/api/v1/cities/aurora/kpis/sdg-11-7-1/measurements"
    body = {"date": str(TODAY()), "value": "23", "unit": "percent", "source": "Sensor"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 201
    assert client.post(url, body, content_type="application/json", **auth).status_code == 429


def test_processes_chosen_on_adoption_are_shown_on_the_kpi_page(
    client, aurora, alice, aurora_process, aurora_draft
):
    kpi = Kpi.objects.get(city__isnull=True, code="sdg-16-7-2")
    actions.do_adopt_kpi(
        aurora,
        alice,
        kpi,
        baseline_value=30,
        baseline_date=date(2024, 1, 1),
        processes=[aurora_process, aurora_draft],
    )
    page = client.get(reverse("accountability:kpi", args=["aurora", "sdg-16-7-2"]))
    assert [p.slug for p in page.context["processes"]] == ["green-streets"]  # drafts stay hidden


def test_interim_targets_are_set_on_adoption_and_shown_in_the_table(client, aurora, alice):
    client.force_login(alice)
    kpi = Kpi.objects.get(city__isnull=True, code="sdg-16-7-2")
    url = reverse("accountability:kpi_adopt", args=["aurora"])
    data = {"kpi": kpi.pk, "baseline_value": "30", "baseline_date": "2024-01-01", "target_value": "50"}
    data |= {"target_date": "2030-01-01", "interim_targets": "2027-01-01; 40"}
    bad = client.post(url, data)
    assert bad.status_code == 400 and "Line 1: write the date as YYYY-MM-DD" in bad.content.decode()
    data["interim_targets"] = "2031-01-01, 40"
    assert "Interim targets fall between" in client.post(url, data).content.decode()
    data["interim_targets"] = "2027-01-01, 40\n"
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("accountability:kpi", args=["aurora", "sdg-16-7-2"]))
    assert [(str(t.date), t.value) for t in page.context["interim"]] == [("2027-01-01", Decimal("40"))]
    assert "Interim target" in page.content.decode()
    api = client.get("/api/v1/cities/aurora/kpis").json()["items"][0]
    assert api["interim_targets"] == [{"date": "2027-01-01", "value": "40.0000"}]


def test_staff_change_the_baseline_and_targets_and_the_audit_keeps_the_old_values(
    client, adoption, alice, erin
):
    url = reverse("accountability:adoption_edit", args=["aurora", "sdg-11-7-1"])
    client.force_login(erin)
    assert client.get(url).status_code == 403  # evaluators measure; admins set the goals
    client.force_login(alice)
    form = client.get(url).context["form"]
    assert form.initial["target_value"] == Decimal("30")
    data = {
        "baseline_value": "20",
        "baseline_date": adoption.baseline_date.isoformat(),
        "target_value": "35",
        "target_date": adoption.target_date.isoformat(),
        "interim_targets": f"{TODAY().isoformat()}, 27",
    }
    assert client.post(url, {**data, "target_value": "135"}).status_code == 400  # a percentage over 100
    assert client.post(url, data).status_code == 302
    adoption.refresh_from_db()
    assert adoption.target_value == Decimal("35") and adoption.targets.get().value == Decimal("27")
    event = AuditEvent.objects.get(action="kpi.adoption_changed")
    assert (
        event.data["changed"]["target_value"] == ["30.0000", "35"]
        or event.data["changed"]["target_value"][0] == "30.0000"
    )


def test_the_daily_command_records_the_computed_kpis_of_every_city(aurora, alice, delivered):
    from io import StringIO

    from django.core.management import call_command

    kpi = Kpi.objects.get(city__isnull=True, code="civiclab-delivered")
    adoption = actions.do_adopt_kpi(aurora, alice, kpi, baseline_value=0, baseline_date=date(2024, 1, 1))
    out = StringIO()
    call_command("update_computed_kpis", stdout=out)
    assert "1 computed KPI value(s) recorded" in out.getvalue()
    assert selectors.series_of(adoption)[0].value == Decimal("100.0")
    call_command("update_computed_kpis", stdout=out)  # the same day again: nothing new
    assert len(selectors.series_of(adoption)) == 1
