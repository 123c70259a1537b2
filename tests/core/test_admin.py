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


def test_a_network_admin_without_a_second_factor_is_kept_out_of_the_admin(client, db):
    from civiclab.accounts.actions import do_create_user

    admin = do_create_user(
        "nofactor@example.org", "correct horse battery", superuser=True, email_verified=True
    )
    client.force_login(admin)
    assert client.get("/admin/core/auditevent/").status_code == 302


def test_allauth_and_group_screens_are_not_in_the_admin(client, nadia):
    client.force_login(nadia)
    for path in ("/admin/account/emailaddress/", "/admin/mfa/authenticator/", "/admin/auth/group/"):
        assert client.get(path).status_code == 404
