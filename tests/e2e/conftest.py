"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

One browser for the session, a fresh context (cookies, storage) for every test. The tests never download
a browser: `make test-e2e` installs Debian's chromium first, and a missing one is a failure, not a skip.
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses ORM calls from
# a thread with a running loop. The loop is Playwright's own and never runs Django code, so this is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing. The browser tests run on Debian's chromium and never download one: "
            "install it with `make browser` (scripts/ensure-chromium) or `apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth remembers used TOTP codes per user id in the cache for one period; ids repeat after each
    # test's flush, so a code from an earlier test could be refused as "already used".
    cache.clear()


@pytest.fixture
def new_context(browser, live_server, transactional_db):
    """Makes browser contexts on the live server, in English; all are closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("locale", "en-GB")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()
