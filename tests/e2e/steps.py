"""Steps that several browser tests share."""

import re

from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, totp_now


def sign_in(
    page: Page, email: str, password: str = PASSWORD, totp_secret: str | None = None, next_url: str = ""
):
    """Signs in through allauth's pages: email and password, then the authenticator code if asked."""
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if totp_secret:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(totp_now(totp_secret))
        page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))


def last_email_link(pattern: str) -> str:
    """The first URL matching `pattern` in the newest email sent (the locmem backend keeps them)."""
    assert mail.outbox, "no email was sent"
    match = re.search(rf"https?://\S*{pattern}\S*", mail.outbox[-1].body)
    assert match, f"no link matching {pattern!r} in:\n{mail.outbox[-1].body}"
    return match.group(0)


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Presses Tab, as a keyboard user would, until `target` has the focus; fails if it never gets it."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {target}")
