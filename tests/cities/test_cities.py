import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civiclab.cities import actions
from civiclab.cities.models import City, Membership
from civiclab.core.models import AuditEvent


def city_data(**overrides):
    data = {
        "name": "Cesena",
        "slug": "cesena",
        "country": "IT",
        "languages": ["it", "en"],
        "time_zone": "Europe/Rome",
        "population": "95000",
        "colour": "#224466",
        "custom_domain": "",
    }
    data.update(overrides)
    return data


def test_a_network_admin_creates_a_city(client, nadia):
    client.force_login(nadia)
    response = client.post(reverse("network_admin:city_new"), city_data(languages=["en", "it"]))
    assert response.status_code == 302
    city = City.objects.get(slug="cesena")
    assert city.languages == ["it", "en"] or city.languages == ["en", "it"]
    assert city.custom_domain is None
    assert AuditEvent.objects.filter(action="city.created", city=city, actor=nadia).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"slug": "api"}, "slug"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"country": "ZZ"}, "country"),
        ({"languages": ["xx"]}, "languages"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"colour": "red"}, "colour"),
        ({"population": "-5"}, "population"),
        ({"custom_domain": "not a domain"}, "custom_domain"),
    ],
)
def test_bad_city_input_gets_a_clear_error_on_its_field(client, nadia, overrides, field):
    client.force_login(nadia)
    response = client.post(reverse("network_admin:city_new"), city_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not City.objects.filter(name="Cesena").exists()


def test_two_cities_cannot_share_a_custom_domain(aurora, nadia):
    actions.do_update_city(aurora, nadia, custom_domain="participa.aurora.example")
    with pytest.raises(ValidationError):
        actions.do_create_city(nadia, **{**city_data(custom_domain="participa.aurora.example", population=1)})


def test_a_custom_domain_serves_its_city(
    client, aurora, aurora_process, nadia, settings, django_capture_on_commit_callbacks
):
    settings.ALLOWED_HOSTS = ["participa.aurora.example", "testserver"]
    client.get("/", HTTP_HOST="participa.aurora.example")  # fills the domain cache
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_city(aurora, nadia, custom_domain="participa.aurora.example")
    response = client.get("/", HTTP_HOST="participa.aurora.example")
    assert response.status_code == 200
    assert response.context["city"] == aurora
    process = client.get(f"/processes/{aurora_process.slug}/", HTTP_HOST="participa.aurora.example")
    assert process.status_code == 200
    # reversed URLs (with the /aurora/ prefix) keep working on the custom domain
    assert client.get("/aurora/", HTTP_HOST="participa.aurora.example").status_code == 200
    assert client.get("/api/v1/cities", HTTP_HOST="participa.aurora.example").status_code == 200


def test_a_city_admin_grants_and_revokes_roles(client, alice, carol, aurora):
    client.force_login(alice)
    response = client.post(
        reverse("cities:staff_members", args=["aurora"]), {"email": carol.email, "role": "moderator"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=carol)
    client.post(reverse("cities:staff_member_revoke", args=["aurora", membership.pk]))
    assert not Membership.objects.filter(user=carol).exists()
    assert list(
        AuditEvent.objects.filter(city=aurora, action__startswith="role.").values_list("action", flat=True)[
            :2
        ]
    ) == ["role.revoked", "role.granted"]


def test_granting_a_role_to_an_unknown_email_is_a_field_error(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("cities:staff_members", args=["aurora"]), {"email": "nobody@example.org", "role": "admin"}
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_the_last_city_admin_cannot_be_revoked(client, alice):
    client.force_login(alice)
    membership = Membership.objects.get(user=alice)
    response = client.post(reverse("cities:staff_member_revoke", args=["aurora", membership.pk]), follow=True)
    assert "at least one city admin" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_moderators_see_the_staff_area_but_not_roles_or_audit(client, bob):
    client.force_login(bob)
    assert client.get(reverse("cities:staff_home", args=["aurora"])).status_code == 200
    assert client.get(reverse("cities:staff_members", args=["aurora"])).status_code == 403
    assert client.get(reverse("cities:staff_audit", args=["aurora"])).status_code == 403


def test_a_signed_in_person_sees_their_own_language(client, carol):
    carol.language = "es"
    carol.save()
    client.force_login(carol)
    response = client.get("/aurora/")
    assert response.wsgi_request.LANGUAGE_CODE == "es"
    assert '<html lang="es"' in response.content.decode()


@pytest.mark.parametrize("colour, ink", [("#ffee00", "#000000"), ("#1f5f8b", "#ffffff")])
def test_a_citys_theme_uses_its_colour_with_readable_ink(client, aurora, nadia, colour, ink):
    actions.do_update_city(aurora, nadia, colour=colour)
    response = client.get(reverse("cities:theme", args=["aurora"]))
    assert response["Content-Type"].startswith("text/css")
    assert f"background: {colour}; color: {ink};" in response.content.decode()
