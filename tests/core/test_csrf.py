"""Every form that changes something refuses a post without a CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from civiclab.network.models import Endorsement
from civiclab.processes.models import Process


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_endorsing_without_a_token_is_refused(csrf_client, manifesto):
    response = csrf_client.post(
        reverse("network:manifesto", args=[manifesto.slug]), {"kind": "person", "country": "ES"}
    )
    assert response.status_code == 403
    assert not Endorsement.objects.exists()


def test_creating_a_process_without_a_token_is_refused(csrf_client, alice):
    csrf_client.force_login(alice)
    response = csrf_client.post(
        reverse("processes:new", args=["aurora"]), {"process-title": "X", "process-slug": "x"}
    )
    assert response.status_code == 403
    assert not Process.objects.exists()


@pytest.mark.parametrize("name", ["accounts:consent", "accounts:erase", "accounts:home"])
def test_account_changes_without_a_token_are_refused(csrf_client, carol, name):
    csrf_client.force_login(carol)
    response = csrf_client.post(reverse(name), {"purpose": "newsletter", "decision": "give", "confirm": "on"})
    assert response.status_code == 403
    carol.refresh_from_db()
    assert carol.erased_at is None


def test_signing_in_without_a_token_is_refused(csrf_client, carol):
    response = csrf_client.post(reverse("account_login"), {"login": carol.email, "password": "x"})
    assert response.status_code == 403


def test_the_same_post_with_the_token_goes_through(csrf_client, manifesto):
    url = reverse("network:manifesto", args=[manifesto.slug])
    csrf_client.get(url)
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(url, {"kind": "person", "country": "ES", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Endorsement.objects.count() == 1
