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
from django.urls import Resolver404, resolve
from playwright.sync_api import ConsoleMessage, Page, Response, expect

from civiclab.cities.models import City
from civiclab.deliberation.models import Conversation
from civiclab.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from civiclab.network.models import Manifesto
from civiclab.processes.models import Process
from tests.conftest import totp_now
from tests.routes import CIVICLAB_ROUTES

from .steps import sign_in

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
    return paths


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
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ]


def staff_paths(city: City) -> list[str]:
    return [
        f"/{city.slug}/staff/",
        f"/{city.slug}/staff/processes/new/",
        *(f"/{city.slug}/staff/processes/{p.slug}/edit/" for p in Process.objects.filter(city=city)),
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
    ]


def network_admin_paths() -> list[str]:
    paths = ["/network/cities/", "/network/cities/new/"]
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
    audit.page.get_by_label("Code").fill(totp_now(DEMO_TOTP_SECRET))
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
    audit.assert_clean()


def test_every_page_of_a_city_admin_is_accessible_and_light(audit):
    sign_in_checking_the_second_step(audit, "ana@valencia.demo")
    valencia = City.objects.get(slug="valencia")
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
    audit.assert_clean()


def test_every_page_of_the_network_admin_is_accessible_and_light(audit):
    sign_in_checking_the_second_step(audit, "admin@civiclab.demo")
    for path in network_admin_paths():
        audit.visit(path)
    audit.submit("/network/cities/new/")
    audit.assert_clean()


def test_the_plan_above_visits_every_civiclab_page(demo):
    planned = [*anonymous_paths(), *account_paths(), *network_admin_paths()]
    visited = set()
    for path in planned:
        with contextlib.suppress(Resolver404):
            visited.add(resolve(path).view_name)
    pages = {name for name in CIVICLAB_ROUTES if name not in NOT_PAGES and not name.startswith("api-v1:")}
    assert not pages - visited, f"routes with no page in the accessibility plan: {sorted(pages - visited)}"
