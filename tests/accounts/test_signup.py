import re

from django.core import mail
from django.urls import reverse

from civiclab.accounts.models import Consent, User


def signup_data(**overrides):
    data = {
        "email": "new@example.org",
        "password1": "a long passphrase 42",
        "password2": "a long passphrase 42",
        "display_name": "Nuria",
        "language": "es",
        "home_city": "",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def test_a_resident_signs_up_confirms_their_email_and_gets_a_terms_consent(client, aurora):
    response = client.post(reverse("account_signup"), signup_data(home_city=aurora.pk, newsletter="on"))
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert (user.display_name, user.language, user.home_city) == ("Nuria", "es", aurora)
    assert set(Consent.objects.filter(user=user).values_list("purpose", flat=True)) == {"terms", "newsletter"}
    key = re.search(r"/accounts/confirm-email/([^/]+)/", mail.outbox[0].body).group(1)
    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified


def test_signing_up_without_accepting_the_terms_is_refused_with_a_field_error(client, db):
    response = client.post(reverse("account_signup"), signup_data(accept_terms=""))
    assert response.status_code == 200
    assert "accept_terms" in response.context["form"].errors
    assert not User.objects.filter(email="new@example.org").exists()


def test_an_unverified_account_cannot_sign_in(client, db):
    client.post(reverse("account_signup"), signup_data())
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": "a long passphrase 42"}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
