"""Staff and residents of one city can never read or change another city's data.

Walks every CivicLab route of tests/routes.py with the standing cast: another city's staff get 403
(missing role) and another city's objects answer 404."""

import pytest
from django.urls import reverse

from civiclab.budgeting.actions import do_count
from civiclab.budgeting.models import Ballot, Budget, Project
from civiclab.cities.models import Membership
from civiclab.core.models import AuditEvent
from civiclab.processes.actions import do_add_component
from civiclab.processes.models import Process
from tests.conftest import make_budget
from tests.events.world import engage_kwargs, engage_world
from tests.proposals.world import proposals_world  # proposals
from tests.proposals.world import url_kwargs as proposals_url_kwargs  # proposals
from tests.routes import CIVICLAB_ROUTES


@pytest.fixture
def world(
    aurora,
    borealis,
    alice,
    bob,
    erin,
    carol,
    sam,
    dave,
    eve,
    nadia,
    aurora_process,
    aurora_draft,
    borealis_process,
    manifesto,
    aurora_budget,
    borealis_budget,
    aurora_conversation,
    borealis_conversation,
):
    counted = make_budget(aurora, slug="counted", opens_in=-9, closes_in=-1)
    do_count(counted, alice)
    aurora_component = do_add_component(aurora_process.phases.first(), alice, kind="survey", title="S")
    borealis_component = do_add_component(borealis_process.phases.first(), dave, kind="survey", title="S")
    # surveys and meetings
    aurora_engage = engage_world(aurora_process, alice)
    borealis_engage = engage_world(borealis_process, dave)
    # proposals
    aurora_proposals = proposals_world(aurora_process, alice, carol)
    borealis_proposals = proposals_world(borealis_process, dave, eve)
    return locals()


def url_for(name: str, w: dict, city_key: str = "aurora") -> str:
    """The URL of `name` pointing at objects of `city_key` (aurora unless told otherwise)."""
    city = w[city_key]
    process = w["aurora_process"] if city_key == "aurora" else w["borealis_process"]
    membership = Membership.objects.filter(city=city).first()
    budget = w["aurora_budget"] if city_key == "aurora" else w["borealis_budget"]
    b = {"city_slug": city.slug, "budget_slug": budget.slug}
    p = {**b, "project_id": budget.projects.first().pk}
    counted = {"city_slug": city.slug, "budget_slug": "counted"}
    conversation = w.get(f"{city_key}_conversation")
    in_conversation = {"city_slug": city.slug, "conversation_slug": getattr(conversation, "slug", "")}
    api_conversation = {"city": city.slug, "slug": getattr(conversation, "slug", "")}
    kwargs = {
        "api-v1:list_budgets": {"city": city.slug},
        "api-v1:get_budget": {"city": city.slug, "budget": budget.slug},
        "api-v1:list_projects": {"city": city.slug, "budget": budget.slug},
        "api-v1:get_results": {"city": city.slug, "budget": "counted"},
        "api-v1:list_ballots": {"city": city.slug, "budget": "counted"},
        "budgeting:detail": b,
        "budgeting:project": p,
        "budgeting:check": b,
        "budgeting:results": counted,
        "budgeting:ballots": counted,
        "budgeting:project_new": b,
        "budgeting:project_reply": p,
        "budgeting:vote": b,
        "budgeting:verify": b,
        "budgeting:receipt": b,
        "budgeting:new": {"city_slug": city.slug},
        "budgeting:staff_list": {"city_slug": city.slug},
        "budgeting:edit": b,
        "budgeting:review": p,
        "budgeting:census": b,
        "budgeting:letters": b,
        "budgeting:verify_in_person": b,
        "budgeting:paper": b,
        "budgeting:paper_voter": b,
        "budgeting:paper_review": b,
        "budgeting:count": b,
        "cities:home": {"city_slug": city.slug},
        "cities:theme": {"city_slug": city.slug},
        "cities:staff_home": {"city_slug": city.slug},
        "cities:staff_members": {"city_slug": city.slug},
        "cities:staff_member_revoke": {"city_slug": city.slug, "membership_id": membership.pk},
        "cities:staff_audit": {"city_slug": city.slug},
        "processes:detail": {"city_slug": city.slug, "process_slug": process.slug},
        "processes:new": {"city_slug": city.slug},
        "processes:edit": {"city_slug": city.slug, "process_slug": process.slug},
        "processes:components": {"city_slug": city.slug, "process_slug": process.slug},
        "processes:component_edit": {
            "city_slug": city.slug,
            "process_slug": process.slug,
            "component_id": w[f"{city_key}_component"].pk,
        },
        "network:manifesto": {"slug": w["manifesto"].slug},
        "network_admin:city_edit": {"city_slug": city.slug},
        "api-v1:get_city": {"city": city.slug},
        "api-v1:list_processes": {"city": city.slug},
        "deliberation:detail": in_conversation,
        "deliberation:report": in_conversation,
        "deliberation:statement_new": in_conversation,
        "deliberation:vote": in_conversation,
        "deliberation:staff_list": {"city_slug": city.slug},
        "deliberation:new": {"city_slug": city.slug},
        "deliberation:import": {"city_slug": city.slug},
        "deliberation:edit": in_conversation,
        "deliberation:moderation": in_conversation,
        "deliberation:export": in_conversation,
        "api-v1:list_conversations": {"city": city.slug},
        "api-v1:get_conversation": api_conversation,
        "api-v1:list_statements": api_conversation,
        "api-v1:get_report": api_conversation,
        "api-v1:conversation_export": {**api_conversation, "name": "votes.csv"},
        "notifications:follow": {"city_slug": city.slug},
        **engage_kwargs(w[f"{city_key}_engage"], city),  # surveys and meetings
        # proposals
        **proposals_url_kwargs(w[f"{city_key}_proposals"], city),
        **_accountability_kwargs(name, city),  # accountability (issue 6)
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


def _counts():
    return tuple(m.objects.count() for m in (AuditEvent, Membership, Process, Budget, Project, Ballot))


STAFF_ROUTES = sorted(n for n, level in CIVICLAB_ROUTES.items() if level.startswith("staff:"))
POST_ONLY = {"cities:staff_member_revoke", "surveys:question_delete", "events:photo"}
POST_ONLY |= {"surveys:question_move"}  # surveys and meetings
POST_ONLY |= {"proposals:offline_support_remove"}  # proposals
POST_ONLY |= {  # accountability (issue 6)
    "accountability:from_budget",
    "accountability:from_proposals",
    "accountability:threshold",
    "accountability:status_new",
    "accountability:result_milestones",
    "accountability:result_findings",
    "accountability:kpis_refresh",
    "accountability:kpi_propose",
    "accountability:token_revoke",
    "accountability:practice_replicate",
    "accountability:practice_comment",
}


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_staff_of_another_city_get_403_and_change_nothing(client, world, name):
    url = url_for(name, world)
    client.force_login(world["dave"])
    before = _counts()
    if name not in POST_ONLY:
        assert client.get(url).status_code == 403
    assert (
        client.post(
            url, {"title": "Hijacked", "slug": "hijacked", "email": "dave@example.org", "role": "admin"}
        ).status_code
        == 403
    )
    assert _counts() == before


@pytest.mark.parametrize("name", STAFF_ROUTES)
@pytest.mark.parametrize("who", ["eve", "carol"])
def test_residents_get_403_on_staff_routes(client, world, name, who):
    client.force_login(world[who])
    method = client.post if name in POST_ONLY else client.get
    assert method(url_for(name, world)).status_code == 403


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, name):
    method = client.post if name in POST_ONLY else client.get
    response = method(url_for(name, world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, world, name):
    client.force_login(world["sam"])
    method = client.post if name in POST_ONLY else client.get
    response = method(url_for(name, world))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize("name", sorted(set(STAFF_ROUTES) - POST_ONLY))
def test_the_city_admin_reaches_every_staff_page(client, world, name):
    client.force_login(world["alice"])
    assert client.get(url_for(name, world)).status_code == 200


@pytest.mark.parametrize("name", ["processes:edit", "processes:detail"])
def test_another_citys_process_under_this_citys_address_is_404(client, world, name):
    client.force_login(world["alice"])
    url = reverse(name, kwargs={"city_slug": "aurora", "process_slug": world["borealis_process"].slug})
    assert client.get(url).status_code == 404


BUDGET_ROUTES = sorted(
    n
    for n in CIVICLAB_ROUTES
    if n.startswith("budgeting:") and n not in {"budgeting:new", "budgeting:staff_list"}
)


@pytest.mark.parametrize("name", BUDGET_ROUTES)
def test_another_citys_budget_under_this_citys_address_is_404(client, world, name):
    client.force_login(world["alice"])
    theirs = world["borealis_budget"]
    kwargs = {"city_slug": "aurora", "budget_slug": theirs.slug}
    if name in {"budgeting:project", "budgeting:project_reply", "budgeting:review"}:
        kwargs["project_id"] = theirs.projects.first().pk
    url = reverse(name, kwargs=kwargs)
    response = (
        client.post(url) if name in {"budgeting:verify", "budgeting:project_reply"} else client.get(url)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["budgeting:project", "budgeting:review"])
def test_another_citys_project_under_this_citys_budget_is_404(client, world, name):
    client.force_login(world["alice"])
    theirs = world["borealis_budget"].projects.first()
    url = reverse(name, kwargs={"city_slug": "aurora", "budget_slug": "parks", "project_id": theirs.pk})
    assert client.get(url).status_code == 404


def test_another_citys_membership_under_this_citys_address_is_404(client, world):
    client.force_login(world["alice"])
    theirs = Membership.objects.get(user=world["dave"])
    url = reverse("cities:staff_member_revoke", kwargs={"city_slug": "aurora", "membership_id": theirs.pk})
    assert client.post(url).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("who", ["anonymous", "eve", "dave", "carol"])
def test_drafts_are_hidden_from_everyone_but_the_citys_staff(client, world, who):
    if who != "anonymous":
        client.force_login(world[who])
    url = reverse("processes:detail", kwargs={"city_slug": "aurora", "process_slug": "draft-plan"})
    assert client.get(url).status_code == 404
    assert b"Draft plan" not in client.get(reverse("cities:home", args=["aurora"])).content


@pytest.mark.parametrize("who", ["alice", "bob", "erin"])
def test_the_citys_staff_see_drafts(client, world, who):
    client.force_login(world[who])
    url = reverse("processes:detail", kwargs={"city_slug": "aurora", "process_slug": "draft-plan"})
    assert client.get(url).status_code == 200


def test_a_city_page_shows_only_that_citys_processes(client, world):
    content = client.get(reverse("cities:home", args=["aurora"])).content.decode()
    assert "Green streets" in content
    assert "Quiet canals" not in content


def test_the_audit_log_shows_only_this_citys_events(client, world):
    client.force_login(world["alice"])
    events = client.get(reverse("cities:staff_audit", args=["aurora"])).context["events"]
    assert events
    assert {e.city_id for e in events} == {world["aurora"].pk}


NETWORK_ADMIN_ROUTES = sorted(n for n, level in CIVICLAB_ROUTES.items() if level == "network_admin")


@pytest.mark.parametrize("name", NETWORK_ADMIN_ROUTES)
@pytest.mark.parametrize("who", ["alice", "dave", "carol"])
def test_only_network_admins_manage_cities(client, world, name, who):
    client.force_login(world[who])
    assert client.get(url_for(name, world)).status_code == 403
    assert client.post(url_for(name, world), {"name": "X", "slug": "x"}).status_code == 403


@pytest.mark.parametrize("name", NETWORK_ADMIN_ROUTES)
def test_network_admins_reach_the_city_screens(client, world, name):
    client.force_login(world["nadia"])
    assert client.get(url_for(name, world)).status_code == 200


SIGNED_IN_ROUTES = sorted(n for n, level in CIVICLAB_ROUTES.items() if level == "signed_in")


@pytest.mark.parametrize("name", SIGNED_IN_ROUTES)
def test_account_pages_need_sign_in(client, world, name):
    method = client.post if name in {"accounts:consent", "notifications:follow"} else client.get
    response = method(url_for(name, world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_export_holds_only_the_requesters_data(client, world):
    client.force_login(world["carol"])
    body = client.get(reverse("accounts:export")).content.decode()
    assert "carol@example.org" in body
    for other in ("alice@example.org", "dave@example.org", "eve@example.org"):
        assert other not in body


PUBLIC_ROUTES = sorted(n for n, level in CIVICLAB_ROUTES.items() if level in {"public", "api"})


@pytest.mark.parametrize("name", PUBLIC_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "eve", "dave"])
def test_public_routes_answer_everyone_without_drafts(client, world, name, who):
    if who != "anonymous":
        client.force_login(world[who])
    response = client.get(url_for(name, world))
    assert response.status_code == 200
    assert b"Draft plan" not in response.content
    assert b"draft-plan" not in response.content


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing-here", "/api/v2/cities"])
def test_unknown_api_paths_are_json_404s(client, world, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


# --- Surveys and meetings ----------------------------------------------------------------------

ENGAGE_ROUTES = sorted(
    n for n in CIVICLAB_ROUTES if n.startswith(("surveys:", "events:")) and "calendar" not in n
)


@pytest.mark.parametrize("name", ENGAGE_ROUTES)
def test_another_citys_survey_or_meeting_under_this_citys_address_is_404(client, world, name):
    client.force_login(world["alice"])
    kwargs = engage_kwargs(world["borealis_engage"], world["borealis"])[name]
    kwargs["city_slug"] = "aurora"
    kwargs["process_slug"] = world["aurora_process"].slug
    before = _counts()
    method = client.get if CIVICLAB_ROUTES[name] == "public" or name in {"events:component"} else client.post
    assert method(reverse(name, kwargs=kwargs)).status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("name", ["events:register", "events:cancel"])
def test_registering_needs_sign_in(client, world, name):
    response = client.post(url_for(name, world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- accountability (issue 6) ---------------------------------------------------------------------


def _accountability_kwargs(name: str, city) -> dict:
    """URL kwargs of the accountability routes, with a result, its feedback and document, an adopted
    KPI, a token and a practice of `city`, made on first use."""
    if not name.startswith(
        ("accountability:", "network:kpi", "network:practice", "api-v1:list_city", "api-v1:list_results")
    ):
        return {}
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from civiclab.accountability import actions as acc
    from civiclab.accountability.models import ApiToken, CityKpi, Kpi, Result, UpdateDocument
    from civiclab.accounts.models import User
    from civiclab.network.actions import do_publish_practice
    from civiclab.network.models import Practice

    result = Result.objects.filter(city=city).first()
    if result is None:
        acc.do_load_catalogue()
        statuses = acc.do_set_up_city(city)
        result = acc.do_create_result(city, None, title="Benches", status=statuses[2])
        resident = User.objects.filter(memberships__isnull=True).exclude(is_superuser=True).first()
        acc.do_give_feedback(result, resident, delivered="no", rating=1)
        pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n")
        acc.do_add_update(result, None, date=timezone.localdate(), text="Done", documents=[(pdf, "Report")])
        acc.do_adopt_kpi(
            city,
            None,
            Kpi.objects.get(code="sdg-11-7-1"),
            baseline_value=1,
            baseline_date=timezone.localdate(),
        )
        acc.do_create_api_token(city, None, name="Sensors", days=5)
        do_publish_practice(
            city, None, slug=f"practice-{city.slug}", title="P", summary="S", problem="P", topic="climate"
        )
    c = {"city_slug": city.slug}
    code = CityKpi.objects.filter(city=city).select_related("kpi").first().kpi.code
    practice = Practice.objects.filter(city=city).first().slug
    r = {**c, "result_id": result.pk}
    return {
        name: {
            "accountability:result": r,
            "accountability:feedback": r,
            "accountability:result_edit": r,
            "accountability:result_milestones": r,
            "accountability:result_update": r,
            "accountability:result_findings": r,
            "accountability:results_export": {**c, "fmt": "csv"},
            "accountability:kpis_export": {**c, "fmt": "csv"},
            "accountability:document": {
                **c,
                "document_id": UpdateDocument.objects.filter(city=city).first().pk,
            },
            "accountability:feedback_answer": {**c, "feedback_id": result.feedback.first().pk},
            "accountability:kpi": {**c, "code": code},
            "accountability:kpi_propose": {**c, "code": code},
            "accountability:measurements": {**c, "code": code},
            "accountability:adoption_edit": {**c, "code": code},
            "accountability:token_revoke": {**c, "token_id": ApiToken.objects.filter(city=city).first().pk},
            "accountability:practice_replicate": {**c, "slug": practice},
            "accountability:practice_comment": {**c, "slug": practice},
            "network:kpi": {"code": code},
            "network:practice": {"slug": practice},
            "api-v1:list_city_kpis": {"city": city.slug},
            "api-v1:list_results": {"city": city.slug},
        }.get(name, c if name.startswith("accountability:") else {})
    }
