"""Every page of the demo network passes axe-core (the WCAG 2.0 to 2.2 A and AA rules) and stays light.

The pages are listed from the database, so a new city, process or manifesto is covered without a change
here, and a check below fails when a CivicLab route has no page in the plan. Each persona sees the pages
that person can reach: an anonymous visitor, a resident, a city admin and the network admin. Forms are
also checked in their error state, where most accessibility slips happen.

Page weight: the HTML plus every same-origin asset the page loads, each gzipped at level 6 by the test
(whatever the server sent), with the browser cache off so that every page is weighed as a first visit.
"""

import contextlib
import gzip
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from civiclab.budgeting import actions as budgeting
from civiclab.budgeting.actions import BallotChoice
from civiclab.budgeting.models import Budget, Project
from civiclab.cities.models import City
from civiclab.deliberation.models import Conversation
from civiclab.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from civiclab.network.models import Manifesto
from civiclab.processes.models import Component, Process
from tests.routes import CIVICLAB_ROUTES

from .engage_paths import engage_paths, staff_engage_paths
from .steps import fresh_totp, sign_in

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    # Only violations travel back from the page: passes and incomplete results would be most of the payload.
    "resultTypes": ["violations"],
}
MAX_PAGE_WEIGHT = 60_000  # bytes

# CivicLab routes that are not pages to look at, and why.
NOT_PAGES = {
    "healthz": "plain text for load balancers",
    "cities:theme": "a stylesheet: weighed with the pages that load it",
    "accounts:consent": "POST only: the resident presses its buttons and the page it returns to is checked",
    "accounts:export": "a JSON download",
    "cities:staff_member_revoke": "POST only",
    "deliberation:vote": "POST only: pressed by tests/e2e/test_opinion_map.py",
    "deliberation:export": "a zip download",
    "budgeting:ballots": "a pabulib download: fetched and recounted by tests/e2e/test_budgeting.py",
    "budgeting:verify": "POST only: the resident presses its forms and the pages it returns are checked",
    "budgeting:project_reply": "POST only: the author presses it and the page it returns to is checked",
    "notifications:follow": "POST only: the follow button is on the pages it returns to",
    # surveys and meetings
    "surveys:results_csv": "a CSV download",
    "surveys:responses_csv": "a CSV download (staff)",
    "surveys:question_delete": "POST only: the staff survey page holds its buttons",
    "surveys:question_move": "POST only: the staff survey page holds its buttons",
    "events:calendar_ics": "an iCalendar download",
    "events:meeting_ics": "an iCalendar download",
    "events:register": "POST only: pressed by tests/e2e/test_meetings.py",
    "events:cancel": "POST only: pressed by tests/e2e/test_meetings.py",
    "events:photo": "POST only: the report page holds its form",
    # proposals
    "proposals:support": "POST only: pressed by tests/e2e/test_proposals.py",
    "proposals:offline_support_remove": "POST only: its forms are in the table of the staff support page",
    "proposals:comment": "POST only: pressed by tests/e2e/test_proposals.py",
    "proposals:endorse": "POST only: the form is on the proposal page",
    "proposals:coauthor_accept": "POST only: the button is on the proposal page",
    "proposals:argument": "POST only: the form is on the debate page",
    "proposals:argument_comment": "POST only: the form is on the debate page",
    "proposals:comment_vote": "POST only: the buttons are on the proposal page",
    "proposals:support_withdraw": "POST only: the button is on the proposal page",
    "proposals:attachment": "a file download, never a page",
    # accountability (issue 6)
    "accountability:results_export": "a CSV or JSON download",
    "accountability:kpis_export": "a CSV or JSON download",
    "accountability:document": "a PDF download",
    "accountability:from_budget": "POST only",
    "accountability:from_proposals": "POST only",
    "accountability:threshold": "POST only",
    "accountability:status_new": "POST only",
    "accountability:result_milestones": "POST only",
    "accountability:result_findings": "POST only",
    "accountability:kpis_refresh": "POST only",
    "accountability:kpi_propose": "POST only",
    "accountability:token_revoke": "POST only",
    "accountability:practice_replicate": "POST only: pressed by tests/e2e/test_accountability.py",
    "accountability:practice_comment": "POST only",
}

axe = Axe()


@dataclass
class Audit:
    """Visits pages in one browser tab and notes every problem, to report them all at once."""

    page: Page
    origin: str
    problems: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def __post_init__(self):
        cdp = self.page.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))

    def _response(self, response: Response) -> None:
        self.responses.append(response)

    def _console(self, message: ConsoleMessage) -> None:
        # A refused inline script or style is a CSP slip (it also means something does not work).
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str, status: int = 200) -> None:
        self.start()
        response = self.page.goto(path, wait_until="load")
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        landed = urlsplit(self.page.url).path
        self.check(path if landed == urlsplit(path).path else f"{path} -> {landed}")

    def submit(
        self,
        path: str,
        button: str = "form [type=submit]",
        status: int = 400,
        fill: dict[str, str] | None = None,
    ) -> None:
        """Submits the form on `path` with wrong or missing data and checks the page with its errors.

        Fields and buttons are found by CSS selector: staff and residents see pages in their language."""
        self.page.goto(path)
        main = self.page.locator("main")
        for selector, value in (fill or {}).items():
            main.locator(selector).fill(value)
        # Skip the browser's own checks (allauth's forms use `required`) to reach the server's messages.
        main.locator("form").evaluate_all("forms => forms.forEach(form => { form.noValidate = true; })")
        self.press(button, f"{path} (errors)", status)
        expect(main.locator(".error-summary, .errorlist").first).to_be_visible()

    def press(self, button: str, label: str, status: int = 200) -> None:
        """Presses a button in the main content and checks the page that the browser lands on."""
        self.start()
        with self.page.expect_navigation(wait_until="load") as navigation:
            self.page.locator("main").locator(button).first.click()
        assert navigation.value.status == status, (
            f"{label}: HTTP {navigation.value.status}, expected {status}"
        )
        self.check(label)

    def start(self) -> None:
        """Forgets what came before, once the page before has finished loading (and reporting)."""
        self.page.wait_for_load_state("load")
        self.responses.clear()
        self.console.clear()

    def check(self, label: str) -> None:
        for violation in axe.run(self.page, options=AXE_OPTIONS).response["violations"]:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            self.problems.append(f"{label}: axe {violation['id']} ({violation['help']}): {targets}")
        self.problems += [f"{label}: {message}" for message in self.console]
        own = [
            r for r in self.responses if urlsplit(r.url).netloc == self.origin and not 300 <= r.status < 400
        ]
        if not any(r.request.resource_type == "stylesheet" and r.ok for r in own):
            self.problems.append(f"{label}: no stylesheet loaded")
        self.problems += [
            f"{label}: {r.request.resource_type} {r.url} answered HTTP {r.status}"
            for r in own
            if r.request.resource_type != "document" and not r.ok
        ]
        self.weights[label] = sum(len(gzip.compress(r.body(), compresslevel=6)) for r in own)

    def assert_clean(self) -> None:
        for label, weight in sorted(self.weights.items(), key=lambda item: -item[1]):
            print(f"{weight / 1000:6.1f} kB  {label}")
        print(f"{len(self.weights)} pages, largest {max(self.weights.values()) / 1000:.1f} kB")
        heavy = [
            f"{label}: {weight} bytes" for label, weight in self.weights.items() if weight > MAX_PAGE_WEIGHT
        ]
        assert not self.problems, f"{len(self.problems)} problems:\n" + "\n".join(self.problems)
        assert not heavy, f"pages over {MAX_PAGE_WEIGHT} bytes gzipped:\n" + "\n".join(heavy)


@pytest.fixture
def demo(transactional_db):
    load_demo()


@pytest.fixture
def audit(demo, new_context, live_server):
    # axe goes in through the DevTools protocol, which the page's Content-Security-Policy does not govern,
    # so the pages are checked under their real, strict policy: no bypass_csp.
    return Audit(new_context().new_page(), urlsplit(live_server.url).netloc)


def public_paths() -> list[str]:
    paths = ["/", *(f"/manifestos/{slug}/" for slug in Manifesto.objects.values_list("slug", flat=True))]
    for city in City.objects.all():
        paths.append(f"/{city.slug}/")
        paths += [
            f"/{city.slug}/processes/{p.slug}/" for p in Process.objects.filter(city=city, published=True)
        ]
        for c in Conversation.objects.filter(city=city, published=True):
            base = f"/{city.slug}/conversations/{c.slug}/"
            paths += [base, f"{base}report/", f"{base}statements/new/"]
        paths += budget_paths(city)
        paths += engage_paths(city)  # surveys and meetings
        paths += proposal_paths(city)  # proposals
    return paths + accountability_public_paths()  # accountability (issue 6)


def budget_paths(city: City) -> list[str]:
    paths = []
    for budget in Budget.objects.for_city(city).published():
        base = f"/{city.slug}/budgets/{budget.slug}/"
        paths += [base, f"{base}check/"]
        if budget.results_published_at:
            paths.append(f"{base}results/")
        # One project page per state (in review, feasible, not feasible, funded): the rest differ in text.
        kinds: dict[tuple, int] = {}
        for p in budget.projects.order_by("pk"):
            kinds.setdefault((p.status, p.funded, bool(p.reviewed_at), p.cost != p.proposed_cost), p.pk)
        paths += [f"{base}projects/{pk}/" for pk in kinds.values()]
    return paths


VOTING = "/valencia/budgets/presupuestos-2027/"  # the demo budget in voting: census, districts, knapsack
PROPOSING = "/utrecht/budgets/buurtbudget-2027/"  # the demo budget that still takes projects


def resident_budget_paths() -> list[str]:
    """The budget pages only a signed-in resident sees; the resident's test walks them in this order."""
    return [f"{VOTING}vote/", f"{VOTING}receipt/", f"{PROPOSING}projects/new/"]


def anonymous_paths() -> list[str]:
    return [
        *public_paths(),
        "/privacy/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
    ]


def account_paths() -> list[str]:
    return [
        "/account/",
        "/account/delete/",
        "/account/notifications/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]


def staff_paths(city: City) -> list[str]:
    return [
        f"/{city.slug}/staff/",
        f"/{city.slug}/staff/processes/new/",
        *(
            f"/{city.slug}/staff/processes/{p.slug}/{page}/"
            for p in Process.objects.filter(city=city)
            for page in ("edit", "components")
        ),
        *(
            f"/{city.slug}/staff/processes/{c.phase.process.slug}/components/{c.pk}/"
            for c in Component.objects.filter(city=city).select_related("phase__process")
        ),
        f"/{city.slug}/staff/members/",
        f"/{city.slug}/staff/audit/",
        f"/{city.slug}/staff/conversations/",
        f"/{city.slug}/staff/conversations/new/",
        f"/{city.slug}/staff/conversations/import/",
        *(
            f"/{city.slug}/staff/conversations/{c.slug}/{page}/"
            for c in Conversation.objects.filter(city=city)
            for page in ("edit", "moderation")
        ),
        *staff_budget_paths(city),
        *staff_engage_paths(city),  # surveys and meetings
        *staff_proposal_paths(city),  # proposals
        *accountability_staff_paths(city),  # accountability (issue 6)
    ]


def staff_budget_paths(city: City) -> list[str]:
    paths = [f"/{city.slug}/staff/budgets/", f"/{city.slug}/staff/budgets/new/"]
    for budget in Budget.objects.for_city(city):
        base = f"/{city.slug}/staff/budgets/{budget.slug}/"
        pages = ("edit", "census", "letters", "verify", "paper", "paper/voters", "paper/review", "count")
        paths += [f"{base}{page}/" for page in pages]
        if district := budget.districts.first():
            paths.append(f"{base}paper/?district={district.pk}")  # the ballot paper of one district
        if project := budget.projects.first():
            paths.append(f"{base}projects/{project.pk}/review/")
    return paths


def network_admin_paths() -> list[str]:
    paths = ["/network/cities/", "/network/cities/new/", "/network/kpi-proposals/"]  # + accountability
    for city in City.objects.all():
        paths += [f"/network/cities/{city.slug}/edit/", *staff_paths(city)]
    return paths


MFA_PATHS = [
    "/accounts/2fa/totp/deactivate/",
    "/accounts/2fa/reauthenticate/",
    "/accounts/2fa/recovery-codes/generate/",
]
NOT_FOUND_PATHS = ["/no-such-city/", "/manifestos/no-such-manifesto/", "/valencia/processes/no-such-process/"]


def reauthenticate_for(audit: Audit, path: str) -> None:
    """allauth asks for the password again before any change to the second factor: check both pages."""
    audit.visit(path)
    expect(audit.page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    audit.page.locator("main #id_password").fill(DEMO_PASSWORD)
    audit.press("form [type=submit]", f"{path} (after reauthenticating)")
    assert urlsplit(audit.page.url).path == path


def sign_in_checking_the_second_step(audit: Audit, email: str) -> None:
    """Signs a demo staff member in, checking allauth's authenticator code page on the way."""
    audit.page.goto("/accounts/login/")
    audit.page.get_by_label("Email").fill(email)
    audit.page.get_by_label("Password").fill(DEMO_PASSWORD)
    audit.press("form [type=submit]", "/accounts/2fa/authenticate/")
    audit.page.get_by_label("Code").fill(fresh_totp(DEMO_TOTP_SECRET))
    audit.page.locator("main form [type=submit]").first.click()
    expect(audit.page.locator("#id_code")).to_have_count(0)


def test_every_page_of_an_anonymous_visitor_is_accessible_and_light(audit):
    for path in anonymous_paths():
        audit.visit(path)
    for path in NOT_FOUND_PATHS:
        audit.visit(path, status=404)
    audit.submit(f"/manifestos/{Manifesto.objects.first().slug}/")
    audit.submit("/accounts/signup/", status=200)
    audit.submit(
        "/accounts/login/", status=200, fill={"#id_login": "lucia@valencia.demo", "#id_password": "wrong"}
    )
    audit.submit("/accounts/password/reset/", status=200)
    conversation = Conversation.objects.filter(published=True, participation="link").first()
    audit.submit(f"/{conversation.city.slug}/conversations/{conversation.slug}/statements/new/")
    audit.submit(f"{VOTING}check/", status=200)
    audit.page.locator("main #id_receipt").fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    audit.press("form [type=submit]", f"{VOTING}check/ (no ballot has this code)")
    audit.assert_clean()


def test_every_page_of_a_resident_is_accessible_and_light(audit):
    sign_in(audit.page, "lucia@valencia.demo", DEMO_PASSWORD)
    for path in [*account_paths(), "/accounts/logout/"]:
        audit.visit(path)
    reauthenticate_for(audit, "/accounts/2fa/totp/activate/")
    audit.page.goto("/account/")
    audit.press("form[action$='/consents/'] [type=submit]", "/account/consents/ (given) -> /account/")
    expect(audit.page.get_by_role("status")).to_be_visible()
    audit.submit("/account/delete/")
    audit.submit("/account/", fill={"#id_display_name": ""})
    # surveys and meetings: Lucía (who consented to demographics) sends the survey without its required answer
    audit.submit(next(p for p in engage_paths(City.objects.get(slug="valencia")) if p.endswith("/survey/")))
    audit.assert_clean()


def test_the_budget_pages_of_a_resident_are_accessible_and_light(audit):
    """Lucía proves she may vote, is refused a ballot over the budget, votes, checks her receipt and meets
    the refusals of a second ballot; then Fatima, whose project was reviewed, replies to the review."""
    page = audit.page
    vote, receipt, propose = resident_budget_paths()
    sign_in(page, "lucia@valencia.demo", DEMO_PASSWORD)
    audit.visit(vote)  # not verified yet: the page asks for a proof
    census = "form:has(input[name=method][value=census])"
    page.locator(f"main {census} input[name$=identifier]").fill("00000000T")
    audit.press(f"{census} [type=submit]", f"{VOTING}verify/ (not on the census)", status=400)
    page.locator(f"main {census} input[name$=identifier]").fill("12345678Z")
    audit.press(f"{census} [type=submit]", f"{VOTING}verify/ -> {vote} (choose a district)")
    page.locator("main input[name=district]").first.check()
    audit.press("form[method=get] [type=submit]", f"{vote}?district= (the district's ballot paper)")
    district = page.url.split("district=")[1].split("&")[0]
    for box in page.locator("main input[name=project]").all():  # all of the district: over its budget
        box.check()
    audit.press("form button[type=submit]", f"{vote} (over the budget)", status=400)
    page.locator("main input[name=project]").first.uncheck()
    audit.press("form button[type=submit]", f"{vote} (cast) -> {receipt}")
    code = page.locator("main .receipt samp").inner_text()
    audit.page.goto(f"{VOTING}check/")
    page.locator("main #id_receipt").fill(code)
    audit.press("form [type=submit]", f"{VOTING}check/ (the ballot is stored)")
    audit.visit(f"{vote}?district={district}")  # voted: a change needs the receipt code
    page.locator("main input[name=project]").first.check()
    page.locator("main #receipt").fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    audit.press("form button[type=submit]", f"{vote} (a change with a wrong receipt code)", status=400)
    # From another browser, which holds no receipt: the second ballot is refused on a page of its own.
    page.context.clear_cookies(name=re.compile(r"^pb-receipt-"))
    audit.visit(receipt)
    page.goto(f"{vote}?district={district}")
    page.locator("main #receipt").evaluate("field => field.closest('div').remove()")
    page.locator("main input[name=project]").first.check()
    audit.press("form button[type=submit]", f"{vote} (a second ballot)", status=409)
    audit.visit(propose)
    audit.submit(propose)
    audit.visit(f"{PROPOSING}vote/", status=403)  # voting has not opened

    page.context.clear_cookies()
    sign_in(page, "fatima@utrecht.demo", DEMO_PASSWORD)
    reviewed = Project.objects.get(budget__slug="buurtbudget-2027", reviewed_at__isnull=False)
    audit.visit(f"{PROPOSING}projects/{reviewed.pk}/")  # with the form for the author's reply
    reply = "form[action$='/reply/']"
    page.locator(f"main {reply} textarea").fill(" ")
    audit.press(f"{reply} [type=submit]", f"{PROPOSING}projects/{reviewed.pk}/reply/ (empty)")
    page.locator(f"main {reply} textarea").fill("Dank voor de toelichting.")
    audit.press(f"{reply} [type=submit]", f"{PROPOSING}projects/{reviewed.pk}/reply/ (published)")
    audit.assert_clean()


def test_every_page_of_a_city_admin_is_accessible_and_light(audit):
    sign_in_checking_the_second_step(audit, "ana@valencia.demo")
    valencia = City.objects.get(slug="valencia")
    budget = Budget.objects.get(city=valencia, slug="presupuestos-2027")
    district = budget.districts.first()
    first, second = budget.projects.filter(district=district, status="feasible")[:2]
    for email, project in (("ana@valencia.demo", first), ("jordi@valencia.demo", second)):
        # One sheet typed two ways by two people: it waits in the review queue.
        person = get_user_model().objects.get(email=email)
        choice = BallotChoice([project.code], [], district)
        budgeting.do_enter_paper_ballot(budget, person, station="Mesa 1", sheet="7", choice=choice)
    for path in [*public_paths(), *account_paths(), *staff_paths(valencia)]:
        audit.visit(path)
    reauthenticate_for(audit, MFA_PATHS[0])
    for path in MFA_PATHS:
        audit.visit(path)
    audit.press(
        "form [type=submit]",
        "/accounts/2fa/recovery-codes/generate/ (pressed) -> /accounts/2fa/recovery-codes/",
    )
    expect(audit.page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    audit.submit("/valencia/staff/processes/new/")
    audit.submit("/valencia/staff/members/", "form:not([action]) [type=submit]")
    audit.submit("/valencia/staff/conversations/new/")
    audit.submit("/valencia/staff/conversations/import/")
    staff = "/valencia/staff/budgets/"
    audit.submit(f"{staff}new/")
    audit.submit(f"{staff}{budget.slug}/edit/", fill={"#id_title": ""})  # with the frozen rules shown
    audit.submit(f"{staff}{budget.slug}/census/")
    audit.submit(f"{staff}{budget.slug}/letters/")
    audit.submit(f"{staff}{budget.slug}/verify/")
    audit.submit(f"{staff}{budget.slug}/paper/voters/")
    audit.submit(f"{staff}{budget.slug}/projects/{first.pk}/review/", fill={"#id_review_reason": ""})
    paper = f"{staff}{budget.slug}/paper/?district={district.pk}"
    audit.submit(paper)
    audit.page.goto(paper)
    audit.page.locator("main #id_station").fill("Mesa 1")
    audit.page.locator("main #id_sheet").fill("8")
    for box in audit.page.locator("main input[name=project]").all():
        box.check()
    audit.press("form [type=submit]", f"{paper} (over the budget)", status=400)
    audit.page.goto(f"{staff}{budget.slug}/count/")
    audit.press("form [type=submit]", f"{staff}{budget.slug}/count/ (voting is open)", status=400)
    # surveys and meetings: staff forms in their error state
    for path in staff_engage_paths(valencia):
        if path.endswith(("questions/new/", "offline/", "meetings/new/")):
            audit.submit(path)
    accountability_error_states(audit)  # accountability (issue 6)
    audit.assert_clean()


def test_every_page_of_the_network_admin_is_accessible_and_light(audit):
    sign_in_checking_the_second_step(audit, "admin@civiclab.demo")
    for path in network_admin_paths():
        audit.visit(path)
    audit.submit("/network/cities/new/")
    audit.assert_clean()


def test_the_plan_above_visits_every_civiclab_page(demo):
    planned = [
        *anonymous_paths(),
        *account_paths(),
        *resident_budget_paths(),
        *network_admin_paths(),
        *resident_proposal_paths(),  # proposals
    ]
    visited = set()
    for path in planned:
        with contextlib.suppress(Resolver404):
            visited.add(resolve(path).view_name)
    pages = {name for name in CIVICLAB_ROUTES if name not in NOT_PAGES and not name.startswith("api-v1:")}
    assert not pages - visited, f"routes with no page in the accessibility plan: {sorted(pages - visited)}"


# --- proposals: proposals, comments, debates, moderation -------------------------------------------


def _component_base(component) -> str:
    return f"/{component.city.slug}/processes/{component.phase.process.slug}/c/{component.pk}/"


def proposal_paths(city: City) -> list[str]:
    from civiclab.processes.models import Component
    from civiclab.proposals.models import Amendment, Comment, Debate, Proposal

    paths = []
    for component in Component.objects.filter(city=city, phase__process__published=True, enabled=True):
        base = _component_base(component)
        if component.kind == "proposals":
            paths.append(base)
            paths.append(f"{base}?sort=supported&category=&q=a")
            for p in Proposal.objects.filter(component=component, hidden_at__isnull=True)[:2]:
                paths.append(f"{base}{p.pk}/")
            for a in Amendment.objects.filter(proposal__component=component)[:1]:
                paths.append(f"{base}{a.proposal_id}/amendments/{a.pk}/")
        elif component.kind == "debates":
            paths.append(f"{base}debates/")
            paths += [f"{base}debates/{d.pk}/" for d in Debate.objects.filter(component=component)]
    if comment := Comment.objects.filter(city=city).first():
        paths.append(f"/{city.slug}/comments/{comment.pk}/history/")
    return paths


def resident_proposal_paths() -> list[str]:
    """Pages Lucía (author of València's proposals) sees; her test walks them."""
    from civiclab.processes.models import Component
    from civiclab.proposals.models import Comment, Proposal

    ideas = Component.objects.get(city__slug="valencia", kind="proposals")
    base = _component_base(ideas)
    mine = Proposal.objects.filter(component=ideas, author__email="lucia@valencia.demo").first()
    other_comment = (
        Comment.objects.filter(city=ideas.city).exclude(author__email="lucia@valencia.demo").first()
    )
    my_comments = Comment.objects.filter(city=ideas.city, author__email="lucia@valencia.demo")
    my_comment = my_comments.filter(hidden_at__isnull=True).first()
    hidden = my_comments.filter(hidden_at__isnull=False).first() or my_comment
    return [
        f"{base}new/",
        f"{base}{mine.pk}/coauthors/",
        f"{base}{mine.pk}/amend/",
        f"/valencia/report/comment/{other_comment.pk}/",
        f"/valencia/appeal/comment/{hidden.pk}/",
        f"/valencia/comments/{my_comment.pk}/edit/",
        f"{base}{mine.pk}/edit/",
        f"{base}{mine.pk}/withdraw/",
        f"/valencia/comments/{my_comment.pk}/delete/",
    ]


def staff_proposal_paths(city: City) -> list[str]:
    from civiclab.processes.models import Component
    from civiclab.proposals.models import Comment, Debate, Proposal

    paths = [
        f"/{city.slug}/staff/proposals/must-answer/",
        f"/{city.slug}/staff/moderation/",
        f"/{city.slug}/staff/moderation/settings/",
    ]
    comments = Comment.objects.filter(city=city)
    if comment := comments.filter(hidden_at__isnull=False).first() or comments.first():
        paths.append(f"/{city.slug}/staff/moderation/comment/{comment.pk}/")  # the hidden one, if any
    for component in Component.objects.filter(city=city, kind__in=["proposals", "debates"]):
        base = f"/{city.slug}/staff/processes/{component.phase.process.slug}/c/{component.pk}/"
        if component.kind == "proposals":
            paths.append(f"{base}new/")
            if p := Proposal.objects.filter(component=component).first():
                paths += [f"{base}{p.pk}/answer/", f"{base}{p.pk}/support/"]
        else:
            paths.append(f"{base}debates/new/")
            if d := Debate.objects.filter(component=component, closed_at__isnull=True).first():
                paths.append(f"{base}debates/{d.pk}/close/")
    return paths


def test_the_proposal_pages_of_a_resident_are_accessible_and_light(audit):
    sign_in(audit.page, "lucia@valencia.demo", DEMO_PASSWORD)
    paths = resident_proposal_paths()
    for path in paths:
        audit.visit(path)
    new, coauthors, amend, report, _appeal, edit, edit_proposal, *_confirmations = paths
    audit.submit(new)
    audit.submit(coauthors)
    audit.submit(amend, fill={"#id_body": ""})
    audit.submit(report)
    audit.submit(edit, fill={"#id_body": ""})
    audit.submit(edit_proposal, fill={"#id_title": ""})
    audit.assert_clean()


def test_the_proposal_staff_pages_are_accessible_with_errors(audit):
    sign_in_checking_the_second_step(audit, "ana@valencia.demo")
    valencia = City.objects.get(slug="valencia")
    for path in staff_proposal_paths(valencia):
        if (
            path.endswith(("/answer/", "/support/", "/new/", "/close/", "/settings/"))
            or "/moderation/comment/" in path
        ):
            audit.submit(path, fill={"#id_hide_after_reports": "0"} if path.endswith("/settings/") else None)
    audit.assert_clean()


# --- accountability (issue 6) ---------------------------------------------------------------------


def accountability_public_paths() -> list[str]:
    from civiclab.accountability.models import CityKpi, Kpi, Result
    from civiclab.network.models import Practice

    paths = ["/network/kpis/", "/network/practices/", "/network/practices/?topic=climate&size=medium"]
    for city in City.objects.all():
        paths += [f"/{city.slug}/results/", f"/{city.slug}/kpis/"]
        # One result page per status kind, pilots and programmes: the rest differ in text.
        kinds: dict[tuple, int] = {}
        for r in Result.objects.filter(city=city, published=True).select_related("status").order_by("pk"):
            kinds.setdefault((r.status.kind, r.is_pilot, r.parent_id is None), r.pk)
        paths += [f"/{city.slug}/results/{pk}/" for pk in kinds.values()]
        codes = CityKpi.objects.filter(city=city).values_list("kpi__code", flat=True)
        paths += [f"/{city.slug}/kpis/{code}/" for code in codes]
    adopted = Kpi.objects.filter(city__isnull=True, adoptions__isnull=False).distinct()
    paths += [f"/network/kpis/{code}/" for code in adopted.values_list("code", flat=True)]
    paths.append("/network/kpis/trees-planted/?view=values")
    paths += [f"/network/practices/{slug}/" for slug in Practice.objects.values_list("slug", flat=True)]
    return paths


def accountability_staff_paths(city: City) -> list[str]:
    from civiclab.accountability.models import CityKpi, Feedback, Result

    base = f"/{city.slug}/staff/"
    paths = [
        f"{base}results/",
        f"{base}results/new/",
        f"{base}results/import/",
        f"{base}results/feedback/",
        f"{base}kpis/",
        f"{base}kpis/adopt/",
        f"{base}kpis/new/",
        f"{base}api-tokens/",
        f"{base}practices/new/",
    ]
    for r in Result.objects.filter(city=city).select_related("status").order_by("pk")[:3]:
        paths += [f"{base}results/{r.pk}/edit/", f"{base}results/{r.pk}/updates/new/"]
        if r.status.kind == "delivered":
            paths.append(f"/{city.slug}/results/{r.pk}/feedback/")
    feedback = Feedback.objects.filter(city=city).values_list("pk", flat=True)[:1]
    paths += [f"{base}results/feedback/{pk}/answer/" for pk in feedback]
    codes = CityKpi.objects.filter(city=city).values_list("kpi__code", flat=True)[:1]
    paths += [f"{base}kpis/{code}/{page}/" for code in codes for page in ("measurements", "edit")]
    return paths


def accountability_error_states(audit: Audit) -> None:
    staff = "/valencia/staff/"
    audit.submit(f"{staff}results/new/", fill={"#id_title": ""})
    audit.submit(f"{staff}results/import/")
    audit.submit(f"{staff}kpis/adopt/")
    audit.submit(f"{staff}kpis/new/")
    audit.submit(f"{staff}api-tokens/")
    audit.submit(f"{staff}practices/new/")
    audit.submit(f"{staff}kpis/sdg-11-7-1/measurements/", "form:not([enctype]) [type=submit]")
