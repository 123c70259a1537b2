"""The few seconds' cache of public pages for anonymous visitors (civiclab/core/pagecache.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from civiclab.processes.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30


@pytest.fixture
def page(aurora_process):
    url = reverse("processes:detail", args=["aurora", aurora_process.slug])

    def get(client, **headers):
        return client.get(url, **headers)

    return get


def rename(process, title):
    Process.objects.filter(pk=process.pk).update(title=title)  # no signal: nothing cached hears of it


def test_an_anonymous_visitor_gets_the_page_rendered_for_the_first_one(aurora_process, page):
    assert aurora_process.title in page(Client()).content.decode()
    rename(aurora_process, "Renamed process")
    shared = page(Client()).content.decode()
    assert "Renamed process" not in shared
    assert aurora_process.title in shared


def test_the_city_home_page_is_shared_too(aurora):
    url = reverse("cities:home", args=["aurora"])
    Client().get(url)
    Process.objects.create(city=aurora, title="A brand new process", slug="brand-new", published=True)
    assert "A brand new process" not in Client().get(url).content.decode()


def test_the_network_home_page_is_shared_too(aurora):
    url = reverse("network:home")
    Client().get(url)
    Process.objects.create(city=aurora, title="A brand new process", slug="brand-new", published=True)
    aurora.name = "Aurora renamed"
    aurora.save()
    assert "Aurora renamed" not in Client().get(url).content.decode()


def test_signed_in_people_always_see_a_fresh_page(aurora_process, page, carol):
    page(Client())
    rename(aurora_process, "Renamed process")
    client = Client()
    client.force_login(carol)
    assert "Renamed process" in page(client).content.decode()


@pytest.mark.parametrize("cookie", ["sessionid", "messages", "civiclab_participant"])
def test_a_visitor_with_a_session_or_other_state_is_not_served_a_shared_page(aurora_process, page, cookie):
    page(Client())
    rename(aurora_process, "Renamed process")
    client = Client()
    client.cookies[cookie] = "x"
    assert "Renamed process" in page(client).content.decode()


def test_off_when_the_setting_is_zero(aurora_process, page, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    page(Client())
    rename(aurora_process, "Renamed process")
    assert "Renamed process" in page(Client()).content.decode()


def test_each_language_has_its_own_page(page):
    assert 'lang="en"' in page(Client(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="es"' in page(Client(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    client = Client()
    client.cookies["django_language"] = "es"
    assert 'lang="es"' in page(client).content.decode()


def test_each_address_and_query_has_its_own_page(aurora_process, page):
    page(Client())
    rename(aurora_process, "Renamed process")
    url = reverse("processes:detail", args=["aurora", aurora_process.slug])
    assert "Renamed process" in Client().get(url + "?x=1").content.decode()


def test_htmx_requests_do_not_share_pages_with_full_loads(aurora_process, page):
    page(Client())
    rename(aurora_process, "Renamed process")
    assert "Renamed process" in page(Client(), HTTP_HX_REQUEST="true").content.decode()


def test_pages_that_did_not_opt_in_are_never_shared(aurora, manifesto):
    url = reverse("network:manifesto", args=[manifesto.slug])
    Client().get(url)
    type(manifesto).objects.filter(pk=manifesto.pk).update(title="Changed manifesto")
    assert "Changed manifesto" in Client().get(url).content.decode()


def test_a_shared_page_carries_each_visitors_own_csrf_token(page):
    page(Client(enforce_csrf_checks=True))
    second = Client(enforce_csrf_checks=True)
    shared = page(second).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', shared)
    assert tokens, "the language switcher has a CSRF token"
    assert "civiclab-csrf" not in shared
    # The second visitor's token works with the second visitor's cookie: the language switch goes through.
    response = second.post(
        reverse("set_language"), {"language": "es", "next": "/", "csrfmiddlewaretoken": tokens[0]}
    )
    assert response.status_code == 302
    assert second.cookies["django_language"].value == "es"


def test_error_pages_and_missing_pages_are_not_kept(aurora):
    missing = reverse("processes:detail", args=["aurora", "not-yet"])
    assert Client().get(missing).status_code == 404
    Process.objects.create(city=aurora, title="Now it exists", slug="not-yet", published=True)
    assert Client().get(missing).status_code == 200


def test_an_old_page_is_renewed_by_one_visitor_while_the_others_get_the_old_copy(
    aurora_process, page, monkeypatch
):
    from django.core.cache import caches

    from civiclab.core import pagecache

    page(Client())
    rename(aurora_process, "Renamed process")
    later = pagecache.now() + 31
    monkeypatch.setattr(pagecache, "now", lambda: later)
    key = next(k for k in caches["pages"]._cache if "page" in k)  # LocMemCache: the one page kept
    caches["pages"].add(key.split(":", 2)[2] + ":renewing", 1, 30)  # another visitor is renewing it
    assert "Renamed process" not in page(Client()).content.decode()
    caches["pages"].delete(key.split(":", 2)[2] + ":renewing")
    assert "Renamed process" in page(Client()).content.decode()  # this visitor renews it
    assert "Renamed process" in page(Client()).content.decode()  # and the next ones share it
