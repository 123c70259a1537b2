import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from civiclab.accounts.models import Purpose, User

from .steps import last_email_link

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a quiet harbour at dawn"


def test_a_visitor_signs_up_confirms_the_email_and_signs_in_again(page):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("sign up", re.I))

    form = page.locator("main form")
    form.get_by_role("textbox", name="Email").fill("nora@example.org")
    form.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    form.get_by_label(re.compile(r"^Password \(again\)")).fill(NEW_PASSWORD)
    form.get_by_label("Name shown to others").fill("Nora Neighbour")
    form.get_by_label("Language").select_option(label="English")
    form.get_by_label("I accept the terms of use").check()
    form.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("verify your email address", re.I))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nora@example.org"]

    # allauth asks for a POST on the confirmation page: a link that a mail scanner opens confirms nothing.
    page.goto(last_email_link("/accounts/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("confirm email address", re.I))
    expect(page.locator("main")).to_contain_text("nora@example.org")
    page.locator("main").get_by_role("button", name="Confirm").click()

    # Confirming signs the new person in and lands on their account page.
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_label("Name shown to others")).to_have_value("Nora Neighbour")
    terms = page.locator(".consents > li").filter(has=page.get_by_role("heading", name="Terms of use"))
    expect(terms).to_contain_text("Given on")
    sign_out = page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    user = User.objects.get(email="nora@example.org")
    assert user.display_name == "Nora Neighbour"
    assert user.emailaddress_set.get().verified
    assert user.consents.filter(purpose=Purpose.TERMS, withdrawn_at=None).exists()

    sign_out.click()
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account_nav.get_by_role("button", name="Sign out")).to_have_count(0)

    account_nav.get_by_role("link", name="Sign in").click()
    page.get_by_role("textbox", name="Email").fill("nora@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_label("Name shown to others")).to_have_value("Nora Neighbour")
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out")
    ).to_be_visible()


def test_a_wrong_password_does_not_sign_in_and_says_so(page, carol):
    page.goto("/accounts/login/")
    page.get_by_role("textbox", name="Email").fill("carol@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("not her password")
    page.locator("main").get_by_role("button", name="Sign in").click()

    expect(page.locator("main")).to_contain_text(
        "The email address and/or password you specified are not correct."
    )
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
