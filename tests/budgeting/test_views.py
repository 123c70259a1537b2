"""The budgeting pages: voting as a resident, receipts, projects and review, staff settings."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civiclab.budgeting import actions, selectors
from civiclab.budgeting.models import Ballot, Budget, Participation, Project

pytestmark = pytest.mark.django_db


def url(name, budget, **kw):
    return reverse(name, kwargs={"city_slug": budget.city.slug, "budget_slug": budget.slug, **kw})


def code(budget, title):
    return str(budget.projects.get(title=title).pk)


@pytest.fixture
def verified(client, aurora_budget, alice, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    client.force_login(carol)
    response = client.post(
        url("budgeting:verify", aurora_budget), {"method": "census", "census-identifier": "x1234567a"}
    )
    assert response.status_code == 302
    return client


def test_an_unverified_resident_is_asked_to_prove_who_they_are(client, aurora_budget, carol):
    client.force_login(carol)
    response = client.get(url("budgeting:vote", aurora_budget))
    assert response.status_code == 200
    assert b"Identity document number" in response.content
    assert b"Code from your letter" in response.content


def test_a_wrong_number_gets_a_clear_error(client, aurora_budget, alice, carol):
    actions.do_upload_census(aurora_budget, alice, "X1234567A,1990\n")
    client.force_login(carol)
    response = client.post(
        url("budgeting:verify", aurora_budget), {"method": "census", "census-identifier": "nope"}
    )
    assert response.status_code == 400
    assert "not on the census list" in response.content.decode()


def test_a_resident_votes_and_gets_a_receipt(verified, aurora_budget):
    page = verified.get(url("budgeting:vote", aurora_budget))
    assert b"Trees" in page.content and b'type="checkbox"' in page.content
    response = verified.post(
        url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]}
    )
    assert response.status_code == 302 and response.url == url("budgeting:receipt", aurora_budget)
    receipt = verified.get(response.url).context["receipt"]
    assert len(receipt) == 24
    assert selectors.find_ballot(aurora_budget, receipt).projects == [code(aurora_budget, "Trees")]


def test_a_refused_ballot_keeps_the_marks_and_says_why(verified, aurora_budget):
    marks = [code(aurora_budget, t) for t in ("Trees", "Benches", "Lights")]
    response = verified.post(url("budgeting:vote", aurora_budget), {"project": marks})
    assert response.status_code == 400
    assert "more than the budget" in response.content.decode()
    assert response.content.count(b"checked") == 3
    assert not Ballot.objects.exists()


def test_a_voter_changes_the_ballot_with_the_receipt_in_this_browser(verified, aurora_budget):
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]})
    page = verified.get(url("budgeting:vote", aurora_budget))
    assert page.context["has_voted"] and page.context["receipt"]
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Lights")]})
    assert list(Ballot.objects.values_list("projects", flat=True)) == [[code(aurora_budget, "Lights")]]
    assert Participation.objects.get().changes == 1


def test_a_second_ballot_from_another_browser_needs_the_receipt(verified, aurora_budget, client, carol):
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]})
    verified.cookies.clear()
    verified.force_login(carol)
    response = verified.post(
        url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Lights")]}
    )
    assert response.status_code == 409
    assert "receipt code" in response.content.decode()
    assert Ballot.objects.get().projects == [code(aurora_budget, "Trees")]
    # The change form sends the receipt field: a wrong code gets the ballot back with the reason.
    response = verified.post(
        url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Lights")], "receipt": "NOPE"}
    )
    assert response.status_code == 400 and b"Replace my ballot" in response.content


def test_anyone_with_the_receipt_can_check_the_ballot(verified, aurora_budget, client):
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]})
    receipt = verified.get(url("budgeting:receipt", aurora_budget)).context["receipt"]
    client.logout()
    found = client.post(url("budgeting:check", aurora_budget), {"receipt": receipt.lower()})
    assert found.context["ballot"] is not None and b"Trees" in found.content
    missing = client.post(url("budgeting:check", aurora_budget), {"receipt": "AAAA-BBBB-CCCC"})
    assert missing.context["ballot"] is None and b"No ballot has this receipt" in missing.content


def test_voting_pages_refuse_outside_the_voting_period(client, aurora, carol):
    from tests.conftest import make_budget

    later = make_budget(aurora, slug="later", opens_in=3, closes_in=9)
    client.force_login(carol)
    assert client.get(url("budgeting:vote", later)).status_code == 403


def test_a_resident_proposes_a_project_and_the_author_replies_to_the_review(client, aurora, carol, erin):
    from tests.conftest import make_budget

    budget = make_budget(aurora, slug="ideas", opens_in=10, closes_in=20, projects=())
    client.force_login(carol)
    response = client.post(
        url("budgeting:project_new", budget),
        {"title": "<script>alert(1)</script> Swings", "description": "For **kids**", "cost": "30"},
    )
    project = Project.objects.get(budget=budget)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<strong>kids</strong>" in page
    client.force_login(erin)
    review = client.post(
        url("budgeting:review", budget, project_id=project.pk),
        {
            "feasible": "yes",
            "review_reason": "Fits the park plan",
            "cost": "35",
            "cost_note": "Safety surface",
        },
    )
    assert review.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.cost, project.proposed_cost) == ("feasible", 35, 30)
    client.force_login(carol)
    client.post(url("budgeting:project_reply", budget, project_id=project.pk), {"author_reply": "Thanks"})
    client.post(url("budgeting:project_reply", budget, project_id=project.pk), {"author_reply": "Again"})
    project.refresh_from_db()
    assert project.author_reply == "Thanks"


def test_a_cost_change_needs_a_public_note(client, aurora, erin):
    from tests.conftest import make_budget

    budget = make_budget(aurora, slug="ideas", opens_in=10, closes_in=20)
    project = budget.projects.first()
    client.force_login(erin)
    response = client.post(
        url("budgeting:review", budget, project_id=project.pk),
        {"feasible": "yes", "review_reason": "OK", "cost": str(project.cost + 5)},
    )
    assert response.status_code == 400
    assert "why the cost changes" in response.content.decode()


def test_staff_create_a_budget_and_cannot_change_its_rules_once_voting_opens(client, aurora, alice):
    client.force_login(alice)
    now = timezone.localtime()
    data = {
        "title": "Youth budget",
        "slug": "youth",
        "description": "",
        "currency": "EUR",
        "amount": "50000",
        "accepts_projects": "on",
        "ballot_type": "knapsack",
        "min_choices": "1",
        "max_points": "10",
        "rule": "mes-add1",
        "threshold": "0",
        "add1_start": "exact",
        "add1_stop": "exhaustive",
        "completion": "greedy",
        "allow_vote_change": "on",
        "min_age": "12",
        "residency": "district",
        "methods": ["census", "letter"],
        "voting_opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "voting_closes_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "districts": "North: 20000\nSouth: 30000",
    }
    response = client.post(reverse("budgeting:new", args=["aurora"]), data)
    assert response.status_code == 302, response.context["form"].errors
    budget = Budget.objects.get(slug="youth")
    assert sorted(budget.districts.values_list("name", "amount")) == [("North", 20000), ("South", 30000)]
    page = client.get(url("budgeting:edit", budget)).content.decode()
    assert "rules are frozen" in page and 'name="rule" disabled' in page.replace("\n", " ")
    changed = {**data, "rule": "greedy", "title": "Youth budget 2027", "districts": "North: 1"}
    response = client.post(url("budgeting:edit", budget), changed)
    assert response.status_code == 302
    budget.refresh_from_db()
    assert (budget.rule, budget.title) == ("mes-add1", "Youth budget 2027")
    assert sorted(budget.districts.values_list("name", "amount")) == [("North", 20000), ("South", 30000)]


def test_a_bad_district_line_gets_a_clear_error(client, aurora, alice):
    client.force_login(alice)
    response = client.post(reverse("budgeting:new", args=["aurora"]), {"districts": "North 20000"})
    assert response.status_code == 400
    assert "name: amount" in response.content.decode()


def test_letter_codes_download_once(client, aurora_budget, alice, carol):
    client.force_login(alice)
    response = client.post(url("budgeting:letters", aurora_budget), {"count": "3", "district": ""})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "code,district" and len(lines) == 4
    assert aurora_budget.letter_codes.count() == 3
    first_code = lines[1].split(",")[0]
    assert not aurora_budget.letter_codes.filter(code_hash__icontains=first_code).exists()


def test_the_results_page_explains_each_project(client, aurora_budget, alice):
    for titles in [("Trees", "Benches")] * 6 + [("Lights",)] * 4:
        Ballot.objects.create(
            city=aurora_budget.city,
            budget=aurora_budget,
            cast_on=timezone.localdate(),
            receipt_hash=f"{Ballot.objects.count():064x}",
            projects=[code(aurora_budget, t) for t in titles],
        )
    Budget.objects.filter(pk=aurora_budget.pk).update(voting_closes_at=timezone.now() - timedelta(seconds=1))
    client.force_login(alice)
    assert client.post(url("budgeting:count", aurora_budget)).status_code == 302
    client.logout()
    page = client.get(url("budgeting:results", aurora_budget)).content.decode()
    assert "Each voter's equal share was 10 EUR" in page
    assert "shared the cost" in page and "had only 20 EUR left together" in page
    assert "<svg" in page and "<table>" in page
    ballots = client.get(url("budgeting:ballots", aurora_budget))
    assert ballots.status_code == 200 and b"receipt_hash" in ballots.content


def test_a_flood_of_ballot_posts_is_answered_429_before_any_ballot_work(
    verified, aurora_budget, django_assert_max_num_queries
):
    trees = code(aurora_budget, "Trees")
    for _ in range(5):
        verified.post(url("budgeting:vote", aurora_budget), {"project": [trees]})
    # Only the session and the account, which the middleware reads for every signed-in request.
    with django_assert_max_num_queries(2):
        response = verified.post(url("budgeting:vote", aurora_budget), {"project": [trees]})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert Ballot.objects.count() == 1


def test_the_author_is_told_of_the_review_in_their_own_language(
    aurora, erin, mailoutbox, django_capture_on_commit_callbacks
):
    from civiclab.accounts.actions import do_create_user
    from tests.conftest import make_budget

    budget = make_budget(aurora, slug="ideas", opens_in=10, closes_in=20, projects=())
    paola = do_create_user("paola@example.org", None, display_name="Paola", language="it", accept_terms=True)
    project = actions.do_submit_project(budget, paola, title="Altalene", description="-", cost=10)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_review_project(project, erin, feasible=True, review_reason="Va bene")
    [mail] = mailoutbox
    assert mail.to == ["paola@example.org"]
    assert "Altalene" in mail.subject and "reviewed" not in mail.subject


def test_a_ballot_post_takes_the_frozen_budget_and_projects_from_the_snapshot(
    verified, aurora_budget, alice, django_assert_max_num_queries
):
    from django.db import connection

    from tests.conftest import _person

    # A first post fills the snapshot; the next voter's post reads neither the budget nor its projects.
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]})
    other = _person("olga@example.org", "Olga", aurora_budget.city)
    actions.do_verify_in_person(aurora_budget, alice, other, identifier="Z9", birth_date=date(1980, 1, 1))
    verified.force_login(other)
    lights = code(aurora_budget, "Lights")
    # PostgreSQL: session, user, verification, and one statement for the register row and the ballot.
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 8) as captured:
        response = verified.post(url("budgeting:vote", aurora_budget), {"project": [lights]})
    assert response.status_code == 302
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "budgeting_budget" not in sql and "budgeting_project" not in sql
    assert Ballot.objects.filter(budget=aurora_budget).count() == 2


def test_unpublishing_a_budget_stops_ballot_posts_at_once(
    verified, aurora_budget, alice, django_capture_on_commit_callbacks
):
    verified.post(url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]})  # cached
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_budget(aurora_budget, alice, published=False)
    response = verified.post(
        url("budgeting:vote", aurora_budget), {"project": [code(aurora_budget, "Trees")]}
    )
    assert response.status_code == 404


def test_a_second_send_racing_the_first_stores_nothing(verified, aurora_budget, carol):
    """Two sends that both read 'not voted yet': the unique register lets exactly one ballot in."""
    from django.db import IntegrityError, connection

    from civiclab.budgeting.models import Verification

    # Read (with its empty register row) before the first ballot is stored.
    stale = Verification.objects.select_related("participation").get(budget=aurora_budget, user=carol)
    first = actions.do_cast_ballot(aurora_budget, carol, actions.BallotChoice([code(aurora_budget, "Trees")]))
    second = actions.BallotChoice([code(aurora_budget, "Lights")])
    if connection.vendor == "postgresql":
        assert not actions._first_ballot_in_one_statement(aurora_budget, stale, second, "ABCD-EFGH")
    else:
        with pytest.raises(IntegrityError):
            actions._cast(aurora_budget, stale, second, "", "ABCD-EFGH")
    assert [b.receipt_hash for b in Ballot.objects.all()] == [selectors.identity.receipt_hash(first)]
    assert Participation.objects.count() == 1
