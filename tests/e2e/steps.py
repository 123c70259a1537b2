"""Steps that several browser tests share."""

import re
import time

from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD, TOTP_SECRET, totp_now


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
        page.get_by_label("Code").fill(fresh_totp(totp_secret))
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


def fresh_totp(secret: str) -> str:
    """The authenticator code, with at least 5 s of its period left. allauth accepts only the current
    period's code: on a busy machine a code typed at the end of its period could expire before the
    server checks it."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    return totp_now(secret)


def sign_in_staff(page: Page, email: str, next_url: str = "") -> None:
    """Signs a member of the standing cast's staff in with the second factor."""
    sign_in(page, email, totp_secret=TOTP_SECRET, next_url=next_url)
