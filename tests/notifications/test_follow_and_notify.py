from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from civiclab.notifications import actions, selectors
from civiclab.notifications.kinds import register_kind
from civiclab.notifications.models import Follow, Notification

register_kind("tests.answered", "Your proposal “%(title)s” received an answer")


def follow(client, city, obj, action="follow"):
    return client.post(
        reverse("notifications:follow", kwargs={"city_slug": city.slug}),
        {"target": "processes.process", "pk": obj.pk, "next": "/somewhere/", "action": action},
    )


def test_a_resident_follows_and_unfollows_a_process(client, aurora, carol, aurora_process):
    client.force_login(carol)
    assert follow(client, aurora, aurora_process).status_code == 302
    assert selectors.is_following(carol, aurora_process)
    assert list(selectors.followers_of(aurora_process)) == [carol]
    follow(client, aurora, aurora_process)  # twice is still once
    assert Follow.objects.count() == 1
    follow(client, aurora, aurora_process, action="unfollow")
    assert not selectors.is_following(carol, aurora_process)


def test_it_refuses_another_citys_process_under_this_citys_address(client, aurora, carol, borealis_process):
    client.force_login(carol)
    assert follow(client, aurora, borealis_process).status_code == 404
    assert not Follow.objects.exists()


def test_it_refuses_a_draft_process_to_residents(client, aurora, carol, aurora_draft):
    client.force_login(carol)
    assert follow(client, aurora, aurora_draft).status_code == 404


def test_it_refuses_unknown_targets(client, aurora, carol, aurora_process):
    client.force_login(carol)
    url = reverse("notifications:follow", kwargs={"city_slug": aurora.slug})
    assert client.post(url, {"target": "accounts.user", "pk": carol.pk}).status_code == 404
    assert client.post(url, {"target": "processes.process", "pk": "x"}).status_code == 404


def test_it_never_redirects_to_another_site(client, aurora, carol, aurora_process):
    client.force_login(carol)
    response = client.post(
        reverse("notifications:follow", kwargs={"city_slug": aurora.slug}),
        {"target": "processes.process", "pk": aurora_process.pk, "next": "https://evil.example/"},
    )
    assert response.url == "/aurora/"


def test_the_process_page_shows_the_follow_button_to_signed_in_people(client, carol, aurora_process):
    url = reverse("processes:detail", kwargs={"city_slug": "aurora", "process_slug": aurora_process.slug})
    assert b'name="target"' not in client.get(url).content
    client.force_login(carol)
    assert b'value="processes.process"' in client.get(url).content


def test_notifications_reach_everyone_but_the_actor_once(aurora, alice, carol, dave):
    n = actions.do_notify(
        [carol, carol, alice],
        city=aurora,
        kind="tests.answered",
        params={"title": "Shade"},
        url="/x/",
        actor=alice,
    )
    assert n == 1
    assert Notification.objects.get().user == carol


def test_unregistered_kinds_are_refused(aurora, carol):
    with pytest.raises(ValueError):
        actions.do_notify([carol], city=aurora, kind="nobody.knows", params={}, url="/")


def test_the_list_shows_them_in_the_readers_language_and_marks_them_read(client, aurora, carol):
    actions.do_notify([carol], city=aurora, kind="tests.answered", params={"title": "Shade <b>"}, url="/x/")
    client.force_login(carol)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "Your proposal “Shade &lt;b&gt;” received an answer" in body
    assert selectors.unread_count(carol) == 1
    client.post(reverse("notifications:list"), {"mark_read": "1"})
    assert selectors.unread_count(carol) == 0


def test_the_header_counts_unread_notifications(client, aurora, carol):
    actions.do_notify([carol], city=aurora, kind="tests.answered", params={"title": "A"}, url="/x/")
    client.force_login(carol)
    assert '1<span class="visually-hidden"> unread' in client.get("/aurora/").content.decode()


def test_a_bad_digest_choice_is_refused_and_kept_unchanged(client, carol):
    client.force_login(carol)
    response = client.post(reverse("notifications:list"), {"frequency": "hourly"})
    assert response.status_code == 400
    assert selectors.digest_of(carol) == "never"
    client.post(reverse("notifications:list"), {"frequency": "weekly"})
    assert selectors.digest_of(carol) == "weekly"


def test_digests_go_in_each_persons_language_and_only_once(aurora, carol, eve):
    carol.language = "es"
    carol.save()
    actions.do_set_digest(carol, "daily")
    actions.do_set_digest(eve, "weekly")
    actions.do_notify([carol, eve], city=aurora, kind="tests.answered", params={"title": "Sombra"}, url="/x/")
    assert actions.send_digests("daily") == 1
    [message] = mail.outbox
    assert message.to == ["carol@example.org"]
    assert "Sombra" in message.body and "http://localhost:8000/x/" in message.body
    assert actions.send_digests("daily") == 0  # nothing new
    assert actions.send_digests("weekly", now=timezone.now() + timedelta(days=7)) == 1


def test_a_failing_mail_server_leaves_the_digest_for_the_next_run(aurora, carol, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_follow_and_notify.BrokenBackend"
    actions.do_set_digest(carol, "daily")
    actions.do_notify([carol], city=aurora, kind="tests.answered", params={"title": "A"}, url="/x/")
    with pytest.raises(ConnectionError):
        actions.send_digests("daily")
    assert Notification.objects.filter(digested_at__isnull=True).count() == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server down")
