import pytest


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_django_admin_is_closed_to_city_staff_and_residents(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_admin_sign_in_goes_through_allauth_and_its_second_factor(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_network_admins_can_read_but_not_change_audit_events(client, nadia):
    client.force_login(nadia)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
