import pytest
from django.urls import reverse

from civiclab.core.models import AuditEvent
from civiclab.network.models import Endorsement


def endorse(client, manifesto, **data):
    return client.post(reverse("network:manifesto", args=[manifesto.slug]), data)


def test_an_organisation_endorses_and_is_listed_by_name_and_type(client, manifesto):
    response = endorse(
        client,
        manifesto,
        kind="organisation",
        name="Uni Aurora",
        organisation_type="university",
        country="ES",
        show_name="on",
    )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Thank you" in page and "Uni Aurora" in page
    endorsement = Endorsement.objects.get()
    assert (endorsement.organisation_type, endorsement.country.code, endorsement.user) == (
        "university",
        "ES",
        None,
    )


def test_a_person_who_hides_their_name_is_counted_but_not_named(client, manifesto):
    endorse(client, manifesto, kind="person", name="Quiet Person", country="FR")
    page = client.get(reverse("network:manifesto", args=[manifesto.slug]))
    assert "Quiet Person" not in page.content.decode()
    assert page.context["n_people"] == 1


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "organisation", "name": "No Type", "country": "ES"}, "organisation_type"),
        ({"kind": "organisation", "organisation_type": "business", "country": "ES"}, "name"),
        ({"kind": "person", "country": "ES", "show_name": "on"}, "name"),
        ({"kind": "person", "country": "XX"}, "country"),
        ({"kind": "robot", "country": "ES"}, "kind"),
    ],
)
def test_bad_endorsements_get_a_clear_error_on_the_field(client, manifesto, data, field):
    response = endorse(client, manifesto, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Endorsement.objects.exists()


def test_a_signed_in_person_endorses_once(client, manifesto, carol):
    client.force_login(carol)
    assert endorse(client, manifesto, kind="person", name="Carol", country="ES").status_code == 302
    response = endorse(client, manifesto, kind="person", name="Carol", country="ES")
    assert response.status_code == 400
    assert "already endorsed" in response.content.decode()
    assert Endorsement.objects.count() == 1


def test_the_audit_trail_holds_no_endorser_name(client, manifesto):
    endorse(client, manifesto, kind="person", name="Private Name", country="ES", show_name="on")
    event = AuditEvent.objects.get(action="manifesto.endorsed")
    assert "Private Name" not in str(event.data)


def test_the_home_page_lists_cities_processes_and_manifestos(client, aurora_process, borealis, manifesto):
    page = client.get("/").content.decode()
    for text in ("Aurora", "Borealis", "Spain", "Netherlands", "Green streets", manifesto.title):
        assert text in page
