from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civiclab.accountability import actions
from civiclab.accountability.models import Result, ResultChange


def test_the_preview_lists_changes_and_line_numbered_errors_and_writes_nothing(result, aurora, alice):
    other = actions.do_create_result(aurora, alice, title="Lights")
    text = (
        "id,status,progress,spent,end_date,note\n"
        f"{result.pk},in-progress,40,100,,\n{other.pk},cancelled,,,,\n9999,planned,,,,\n"
    )
    plan = actions.plan_results_csv(aurora, text)
    assert not plan.ok
    assert plan.rows[0].changes == {
        "status": ("Planned", "In progress"),
        "progress": ("0", "40"),
        "spent": ("0", "100"),
    }
    assert plan.rows[1].errors == ["Line 3: a cancellation needs a reason in “note”."]
    assert plan.rows[2].errors == ["Line 4: no result of this city has the id “9999”."]
    assert not ResultChange.objects.filter(field="spent").exists()


def test_apply_is_all_or_nothing(client, result, aurora, alice, borealis, dave):
    theirs = actions.do_create_result(borealis, dave, title="Canals")
    client.force_login(alice)
    url = reverse("accountability:results_import", args=["aurora"])
    bad = f"id,progress\n{result.pk},50\n{theirs.pk},10\n"
    response = client.post(url, {"csv": bad})
    assert response.status_code == 400
    assert Result.objects.get(pk=result.pk).progress == 0 and Result.objects.get(pk=theirs.pk).progress == 0
    good = f"id,progress,note\n{result.pk},50,Half done\n"
    preview = client.post(url, {"file": SimpleUploadedFile("r.csv", good.encode())})
    assert preview.status_code == 200 and preview.context["plan"].n_changes == 1
    assert Result.objects.get(pk=result.pk).progress == 0
    assert preview.context["text"] == good  # sent back by the "Apply all changes" form
    assert client.post(url, {"csv": good}).status_code == 302
    assert Result.objects.get(pk=result.pk).progress == 50
    assert ResultChange.objects.get(result=result, field="progress").note == "Half done"
