"""Nothing links a ballot to a person: not the schema, not the staff screens, the exports or the API."""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from civiclab.budgeting import actions
from civiclab.budgeting.actions import BallotChoice
from civiclab.budgeting.models import Ballot, Budget, Participation, Verification
from civiclab.core.models import AuditEvent
from tests.routes import CIVICLAB_ROUTES

pytestmark = pytest.mark.django_db


def relations(model):
    return [f for f in model._meta.get_fields() if f.is_relation and f.related_model is not None]


def test_a_ballot_row_holds_no_person_no_account_and_no_precise_time():
    for f in relations(Ballot):
        if f.many_to_one or f.one_to_one:
            assert f.related_model._meta.label in {"cities.City", "budgeting.Budget", "budgeting.District"}, f
    assert not [f for f in Ballot._meta.get_fields() if isinstance(f, models.DateTimeField)]
    # A random key: the order of ballot ids says nothing about the order people voted in.
    assert isinstance(Ballot._meta.pk, models.UUIDField)


def test_no_table_joins_the_register_and_the_ballots():
    register = {Participation, Verification}
    for model in apps.get_models():
        related = {f.related_model for f in relations(model) if f.concrete}
        assert not (Ballot in related and related & register), f"{model} links ballots and voters"
        if model is not Ballot and Ballot in related:
            # Only the paper entry points at a ballot; it names the staff member who typed it, not a voter.
            assert model._meta.label == "budgeting.PaperEntry"
    for f in relations(Participation) + relations(Verification):
        assert f.related_model is not Ballot


@pytest.fixture
def voted(aurora_budget, alice, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    actions.do_verify_with_census(aurora_budget, carol, "X1234567A")
    trees = str(aurora_budget.projects.get(title="Trees").pk)
    receipt = actions.do_cast_ballot(aurora_budget, carol, BallotChoice([trees]))
    Budget.objects.filter(pk=aurora_budget.pk).update(voting_closes_at=timezone.now())
    aurora_budget.refresh_from_db()
    actions.do_count(aurora_budget, alice)
    return Ballot.objects.get(), receipt


def person_markers(user) -> list[str]:
    return [user.email, str(user.public_id), user.display_name]


def test_the_audit_log_never_names_a_ballot(voted):
    ballot, receipt = voted
    text = json.dumps(list(AuditEvent.objects.values("target_id", "data")), default=str)
    assert str(ballot.id) not in text and ballot.receipt_hash not in text and receipt not in text


def test_the_persons_export_holds_no_ballot(client, voted, carol):
    ballot, receipt = voted
    client.force_login(carol)
    body = client.get(reverse("accounts:export")).content.decode()
    assert '"voted_at"' in body
    for secret in (str(ballot.id), ballot.receipt_hash, receipt, json.dumps(ballot.projects)):
        assert secret not in body


def test_public_pages_and_the_api_name_no_voter(client, voted, carol, aurora_budget):
    ballot, _receipt = voted
    api_names = {
        "api-v1:list_budgets",
        "api-v1:get_budget",
        "api-v1:list_projects",
        "api-v1:get_results",
        "api-v1:list_ballots",
    }
    names = [n for n, level in CIVICLAB_ROUTES.items() if level == "public" and n.startswith("budgeting:")]
    names += sorted(api_names)
    assert len(names) == 10
    kwargs = {"city_slug": "aurora", "budget_slug": aurora_budget.slug}
    api = {"city": "aurora", "budget": aurora_budget.slug}
    for name in names:
        if name.startswith("api-v1:"):
            url = reverse(name, kwargs=api if name != "api-v1:list_budgets" else {"city": "aurora"})
        elif name == "budgeting:project":
            url = reverse(name, kwargs={**kwargs, "project_id": ballot.projects[0]})
        else:
            url = reverse(name, kwargs=kwargs)
        body = client.get(url).content.decode()
        for marker in person_markers(carol):
            assert marker not in body, (name, marker)
    listed = client.get(reverse("api-v1:list_ballots", kwargs=api)).json()["items"]
    assert listed == [
        {
            "receipt_hash": ballot.receipt_hash,
            "district": None,
            "channel": "online",
            "projects": ballot.projects,
            "points": [],
        }
    ]


def test_staff_screens_show_counts_never_voters(client, voted, alice, carol, aurora_budget):
    client.force_login(alice)
    for name in [n for n, level in CIVICLAB_ROUTES.items() if level.startswith("staff:budgeting")]:
        kwargs = {"city_slug": "aurora"}
        if name not in {"budgeting:new", "budgeting:staff_list"}:
            kwargs["budget_slug"] = aurora_budget.slug
        if name == "budgeting:review":
            kwargs["project_id"] = aurora_budget.projects.first().pk
        body = client.get(reverse(name, kwargs=kwargs)).content.decode()
        for marker in person_markers(carol):
            assert marker not in body, (name, marker)
