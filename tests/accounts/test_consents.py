import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from civiclab.accounts import actions
from civiclab.accounts.models import Consent
from civiclab.core.models import AuditEvent


def test_giving_and_withdrawing_keeps_a_versioned_history(client, carol):
    client.force_login(carol)
    client.post(reverse("accounts:consent"), {"purpose": "demographics", "decision": "give"})
    client.post(reverse("accounts:consent"), {"purpose": "demographics", "decision": "withdraw"})
    client.post(reverse("accounts:consent"), {"purpose": "demographics", "decision": "give"})
    rows = list(Consent.objects.filter(user=carol, purpose="demographics").order_by("id"))
    assert len(rows) == 2
    assert rows[0].withdrawn_at is not None and rows[0].withdrawn_at >= rows[0].given_at
    assert rows[1].active and rows[1].version == "2026-11"
    assert AuditEvent.objects.filter(actor=carol, data__purpose="demographics").count() == 3


def test_a_new_text_version_closes_the_old_consent(carol, settings):
    actions.do_give_consent(carol, "newsletter")
    settings.CONSENT_VERSIONS = {**settings.CONSENT_VERSIONS, "newsletter": "2027-01"}
    actions.do_give_consent(carol, "newsletter")
    versions = list(
        Consent.objects.filter(user=carol, purpose="newsletter").values_list("version", "withdrawn_at")
    )
    assert versions[0][0] == "2026-11" and versions[0][1] is not None
    assert versions[1] == ("2027-01", None)


def test_the_terms_cannot_be_withdrawn_while_the_account_exists(client, carol):
    client.force_login(carol)
    response = client.post(reverse("accounts:consent"), {"purpose": "terms", "decision": "withdraw"})
    assert response.status_code == 302
    assert Consent.objects.get(user=carol, purpose="terms").active
    with pytest.raises(actions.ConsentError):
        actions.do_withdraw_consent(carol, "terms")


def test_an_unknown_purpose_is_refused(carol):
    with pytest.raises(actions.ConsentError):
        actions.do_give_consent(carol, "advertising")


def test_the_database_refuses_two_active_consents_for_one_purpose(carol):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(user=carol, purpose="terms", version="x")


def test_the_account_page_lists_every_purpose(client, carol):
    client.force_login(carol)
    content = client.get(reverse("accounts:home")).content.decode()
    for label in ("Terms of use", "Newsletter by email", "Demographic statistics"):
        assert label in content


def test_profile_changes_are_validated(client, carol):
    client.force_login(carol)
    response = client.post(reverse("accounts:home"), {"display_name": "", "language": "xx"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"display_name", "language"}


def test_a_changed_text_asks_for_agreement_again(client, carol, settings):
    client.force_login(carol)
    settings.CONSENT_VERSIONS = {**settings.CONSENT_VERSIONS, "terms": "2027-06"}
    assert "Accept the new version" in client.get(reverse("accounts:home")).content.decode()
    client.post(reverse("accounts:consent"), {"purpose": "terms", "decision": "give"})
    assert Consent.objects.get(user=carol, purpose="terms", withdrawn_at=None).version == "2027-06"
    assert "Accept the new version" not in client.get(reverse("accounts:home")).content.decode()


def test_the_terms_and_privacy_notice_are_public_and_linked_from_sign_up(client, db):
    assert client.get(reverse("network:privacy")).status_code == 200
    assert 'href="/privacy/"' in client.get(reverse("account_signup")).content.decode()
