import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civiclab.accountability import actions
from civiclab.accountability.models import Result, ResultChange, ResultStatus, UpdateDocument
from civiclab.core.models import AuditEvent

from .conftest import status


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_it_seeds_the_four_statuses_once(aurora):
    actions.do_set_up_city(aurora)
    actions.do_set_up_city(aurora)
    codes = list(ResultStatus.objects.filter(city=aurora).values_list("code", flat=True))
    assert codes == ["planned", "in-progress", "delivered", "cancelled"]


def test_every_change_is_in_the_public_history_with_a_role_and_in_the_audit_log(result, alice, aurora):
    actions.do_update_result(
        result, alice, status=status(aurora, "in-progress"), spent=1200, note="Works began"
    )
    changes = {c.field: c for c in ResultChange.objects.filter(result=result)}
    assert changes["status"].old == "Planned" and changes["status"].new == "In progress"
    assert changes["spent"].old == "0" and changes["spent"].new == "1200"
    assert changes["spent"].role == "admin" and changes["spent"].note == "Works began"
    assert AuditEvent.objects.filter(action="result.updated", target_id=str(result.pk)).exists()


def test_it_refuses_a_cancellation_without_a_reason(result, alice, aurora):
    with pytest.raises(ValidationError) as exc:
        actions.do_update_result(result, alice, status=status(aurora, "cancelled"))
    assert "cancel_reason" in exc.value.message_dict
    actions.do_update_result(result, alice, status=status(aurora, "cancelled"), cancel_reason="No funds")
    assert Result.objects.get(pk=result.pk).cancel_reason == "No funds"


def test_it_refuses_a_result_that_is_part_of_itself(result, alice, aurora):
    child = actions.do_create_result(aurora, alice, title="A part", parent=result)
    with pytest.raises(ValidationError):
        actions.do_update_result(result, alice, parent=child)


def test_it_refuses_another_citys_status_or_process(result, alice, borealis, borealis_process):
    with pytest.raises(ValidationError):
        actions.do_update_result(result, alice, status=status(borealis, "delivered"))
    with pytest.raises(ValidationError):
        actions.do_create_result(result.city, alice, title="X", origin_process=borealis_process)


def test_progress_follows_the_weighted_milestones(result, alice):
    actions.do_update_result(result, alice, progress_mode="milestones")
    first = actions.do_add_milestone(result, alice, title="Design", weight=1)
    actions.do_add_milestone(result, alice, title="Works", weight=3)
    actions.do_complete_milestone(first, alice)
    result.refresh_from_db()
    assert result.progress == 25
    assert ResultChange.objects.filter(result=result, field="progress", new="25").exists()


def test_it_makes_results_from_a_budgets_funded_projects_only_once(counted_budget, alice):
    funded = list(counted_budget.projects.filter(funded=True))
    assert funded
    made = actions.do_create_results_from_budget(counted_budget, alice)
    assert sorted(r.origin_project_id for r in made) == sorted(p.pk for p in funded)
    assert all(r.origin == "project" and r.origin_process_id == counted_budget.process_id for r in made)
    assert actions.do_create_results_from_budget(counted_budget, alice) == []
    assert Result.objects.filter(city=counted_budget.city).count() == len(funded)


def test_an_update_keeps_a_re_encoded_photo_with_its_text_and_a_pdf(result, alice):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    update = actions.do_add_update(
        result,
        alice,
        date=timezone.localdate(),
        text="Benches installed",
        photos=[(png(), "Two benches")],
        documents=[(pdf, "Report")],
    )
    assert update.photos.get().image.name.endswith(".png")
    assert update.documents.get().size == len(b"%PDF-1.4\n%test\n")


@pytest.mark.parametrize(
    "photos, documents, field",
    [
        ([("png", "")], [], "photo_alt"),
        ([], [(b"<html>not a pdf</html>", "Report")], "document"),
    ],
)
def test_it_refuses_a_photo_without_text_or_a_document_that_is_not_a_pdf(
    result, alice, photos, documents, field
):
    photos = [(png(), alt) for _kind, alt in photos]
    documents = [(SimpleUploadedFile("x.pdf", data), title) for data, title in documents]
    with pytest.raises(ValidationError) as exc:
        actions.do_add_update(
            result, alice, date=timezone.localdate(), text="x", photos=photos, documents=documents
        )
    assert field in exc.value.message_dict


def test_documents_are_served_as_pdf_attachments(client, result, alice):
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    actions.do_add_update(result, alice, date=timezone.localdate(), text="x", documents=[(pdf, "Report")])
    doc = UpdateDocument.objects.get()
    response = client.get(reverse("accountability:document", args=["aurora", doc.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_public_list_filters_by_status_and_process(client, result, alice, aurora):
    other = actions.do_create_result(aurora, alice, title="Cycle lane")
    actions.do_update_result(other, alice, status=status(aurora, "delivered"))
    page = client.get(reverse("accountability:results", args=["aurora"]), {"status": "delivered"})
    assert [r.title for r in page.context["results"]] == ["Cycle lane"]
    page = client.get(reverse("accountability:results", args=["aurora"]), {"process": "green-streets"})
    assert [r.title for r in page.context["results"]] == ["New benches in the park"]


def test_drafts_are_hidden_from_the_public(client, alice, aurora):
    draft = actions.do_create_result(aurora, alice, title="Secret plan", published=False)
    assert client.get(reverse("accountability:result", args=["aurora", draft.pk])).status_code == 404
    assert b"Secret plan" not in client.get(reverse("accountability:results", args=["aurora"])).content


def test_the_result_page_shows_its_history(client, result, alice, aurora):
    actions.do_update_result(result, alice, spent=999)
    body = client.get(reverse("accountability:result", args=["aurora", result.pk])).content.decode()
    assert "999" in body and "Public history of changes" in body


def test_list_and_detail_pages_run_a_constant_number_of_queries(
    client, alice, aurora, django_assert_max_num_queries
):
    parent = actions.do_create_result(aurora, alice, title="Programme")
    for i in range(3):
        r = actions.do_create_result(aurora, alice, title=f"Part {i}", parent=parent)
        actions.do_add_update(r, alice, date=timezone.localdate(), text="x", photos=[(png(), "alt")])
    with django_assert_max_num_queries(8):
        client.get(reverse("accountability:results", args=["aurora"]))
    for i in range(10):
        actions.do_create_result(aurora, alice, title=f"More {i}", parent=parent)
        actions.do_add_update(parent, alice, date=timezone.localdate(), text="y", photos=[(png(), "alt")])
    with django_assert_max_num_queries(8):
        client.get(reverse("accountability:results", args=["aurora"]))
    with django_assert_max_num_queries(16):
        client.get(reverse("accountability:result", args=["aurora", parent.pk]))


def test_staff_edit_a_result_through_the_form_and_keep_their_input_on_an_error(client, result, alice, aurora):
    client.force_login(alice)
    url = reverse("accountability:result_edit", args=["aurora", result.pk])
    data = {
        "title": "New benches in the park",
        "description": "Twenty benches.",
        "published": "on",
        "department": "Parks",
        "currency": "EUR",
        "spent": "10",
        "status": status(aurora, "cancelled").pk,
        "cancel_reason": "",
        "progress_mode": "manual",
        "progress": "10",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Say why the result is cancelled." in response.content.decode()
    assert 'value="Parks"' in response.content.decode()
    data["status"] = status(aurora, "delivered").pk
    assert client.post(url, data).status_code == 302
    result.refresh_from_db()
    assert result.status.code == "delivered" and result.progress == 100


def test_the_date_of_an_update_cannot_be_in_the_future(result, alice):
    with pytest.raises(ValidationError):
        actions.do_add_update(result, alice, date=timezone.localdate() + timedelta(days=2), text="x")


def test_pilot_findings_are_published_when_the_pilot_ends(client, alice, aurora):
    pilot = actions.do_create_result(
        aurora,
        alice,
        title="Night buses",
        is_pilot=True,
        hypothesis="People use them",
        start_date=date(2025, 1, 1),
    )
    page = client.get(reverse("accountability:result", args=["aurora", pilot.pk])).content.decode()
    assert "The findings are published when the pilot ends." in page
    actions.do_publish_findings(pilot, alice, findings="Ridership **doubled**.")
    page = client.get(reverse("accountability:result", args=["aurora", pilot.pk])).content.decode()
    assert "<strong>doubled</strong>" in page


def test_a_city_adds_its_own_status_with_a_meaning(client, result, alice, aurora):
    client.force_login(alice)
    url = reverse("accountability:status_new", args=["aurora"])
    client.post(url, {"code": "tendering", "name": "Tendering", "kind": "in_progress"})
    tendering = ResultStatus.objects.get(city=aurora, code="tendering")
    assert tendering.kind == "in_progress" and tendering.position == 4
    client.post(url, {"code": "tendering", "name": "Again", "kind": "planned"})
    assert ResultStatus.objects.filter(city=aurora, code="tendering").count() == 1
