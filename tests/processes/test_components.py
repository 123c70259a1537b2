import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.processes import actions, components
from civiclab.processes.components import ComponentType
from civiclab.processes.models import Component


class DebateSettings(forms.Form):
    max_arguments = forms.IntegerField(min_value=1, max_value=50)


@pytest.fixture
def registered(monkeypatch):
    """A component kind with a settings form, registered for one test only."""
    monkeypatch.setitem(
        components._TYPES,
        "debates",
        ComponentType(
            kind="debates",
            url_name="tests:component",
            settings_form=DebateSettings,
            defaults={"max_arguments": 10},
        ),
    )


def co_design(process):
    return process.phases.get(kind="co_design")


def test_a_component_is_added_to_a_phase_with_its_default_settings(aurora_process, alice, registered):
    component = actions.do_add_component(co_design(aurora_process), alice, kind="debates", title="Shade?")
    assert component.city == aurora_process.city
    assert component.settings == {"max_arguments": 10}
    assert component.is_open()  # the co-design phase runs now
    assert AuditEvent.objects.filter(action="component.added").count() == 1


def test_settings_are_checked_by_the_components_own_form(aurora_process, alice, registered):
    component = actions.do_add_component(co_design(aurora_process), alice, kind="debates", title="Shade?")
    with pytest.raises(ValidationError) as caught:
        actions.do_update_component(component, alice, settings={"max_arguments": 0})
    assert "max_arguments" in caught.value.message_dict
    component.refresh_from_db()
    assert component.settings == {"max_arguments": 10}


def test_unknown_kinds_and_empty_titles_are_refused(aurora_process, alice):
    with pytest.raises(ValidationError):
        actions.do_add_component(co_design(aurora_process), alice, kind="lottery", title="X")
    with pytest.raises(ValidationError):
        actions.do_add_component(co_design(aurora_process), alice, kind="survey", title="  ")
    assert not Component.objects.exists()


def test_a_component_of_a_phase_that_has_not_started_is_not_open(aurora_process, alice):
    later = aurora_process.phases.get(kind="decision")
    assert not actions.do_add_component(later, alice, kind="survey", title="Later").is_open()


def test_a_switched_off_component_is_not_open(aurora_process, alice):
    component = actions.do_add_component(co_design(aurora_process), alice, kind="survey", title="S")
    actions.do_update_component(component, alice, enabled=False)
    assert not component.is_open()


def test_the_admin_adds_and_configures_a_component_through_the_pages(
    client, alice, aurora_process, registered
):
    client.force_login(alice)
    url = reverse("processes:components", args=["aurora", aurora_process.slug])
    response = client.post(url, {"phase": co_design(aurora_process).pk, "kind": "debates", "title": "Shade?"})
    component = Component.objects.get()
    assert response.url == reverse(
        "processes:component_edit", args=["aurora", aurora_process.slug, component.pk]
    )
    edit = client.post(response.url, {"title": "Shade, where?", "settings-max_arguments": "0"})
    assert edit.status_code == 400  # the settings form's own error, with what was typed kept
    assert b'value="Shade, where?"' in edit.content
    client.post(response.url, {"title": "Shade, where?", "settings-max_arguments": "5"})
    component.refresh_from_db()
    assert (component.title, component.settings, component.enabled) == (
        "Shade, where?",
        {"max_arguments": 5},
        False,
    )


def test_a_phase_of_another_process_cannot_be_chosen(client, alice, aurora_process, aurora):
    from tests.factories import ProcessFactory

    other = ProcessFactory(city=aurora, slug="other")
    client.force_login(alice)
    url = reverse("processes:components", args=["aurora", aurora_process.slug])
    response = client.post(url, {"phase": other.phases.first().pk, "kind": "survey", "title": "X"})
    assert response.status_code == 400
    assert not Component.objects.exists()


def test_the_process_page_lists_switched_on_components_under_their_phase(
    client, alice, carol, aurora_process
):
    on = actions.do_add_component(co_design(aurora_process), alice, kind="survey", title="Heat survey")
    off = actions.do_add_component(co_design(aurora_process), alice, kind="meetings", title="Walks")
    actions.do_update_component(off, alice, enabled=False)
    url = reverse("processes:detail", args=["aurora", aurora_process.slug])
    client.force_login(carol)
    body = client.get(url).content.decode()
    assert on.title in body and off.title not in body
    client.force_login(alice)
    assert off.title in client.get(url).content.decode()


def test_get_component_for_hides_other_cities_and_switched_off_components(
    rf, carol, alice, aurora, borealis_process, aurora_process, dave
):
    from django.http import Http404

    from civiclab.processes.selectors import get_component_for

    theirs = actions.do_add_component(co_design(borealis_process), dave, kind="survey", title="Theirs")
    mine = actions.do_add_component(co_design(aurora_process), alice, kind="survey", title="Mine")
    request = rf.get("/")
    request.user = carol
    with pytest.raises(Http404):
        get_component_for(request, aurora, borealis_process.slug, theirs.pk, "survey")
    with pytest.raises(Http404):
        get_component_for(request, aurora, aurora_process.slug, mine.pk, "meetings")
    assert get_component_for(request, aurora, aurora_process.slug, mine.pk, "survey") == mine
    actions.do_update_component(mine, alice, enabled=False)
    with pytest.raises(Http404):
        get_component_for(request, aurora, aurora_process.slug, mine.pk, "survey")
    request.user = alice
    assert get_component_for(request, aurora, aurora_process.slug, mine.pk, "survey") == mine


def test_another_citys_component_under_this_citys_process_is_404(
    client, alice, dave, aurora_process, borealis_process
):
    theirs = actions.do_add_component(co_design(borealis_process), dave, kind="survey", title="Theirs")
    client.force_login(alice)
    url = reverse("processes:component_edit", args=["aurora", aurora_process.slug, theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
