"""Free outcome links of meetings that point to a proposal of the meeting's own city become real links
(Meeting.proposals). Every other link (another site, another city, a page that is not a proposal, a
proposal that does not exist) stays a free link, under "Other outcomes (links)".

A link is "ours" when it is relative, or its host is one this site answers to (ALLOWED_HOSTS, SITE_URL)
or a city's custom domain (where paths have no city slug: the middleware adds it, so we do too). Whether
it is a proposal page is decided by Django's own URL resolver (`proposals:detail`), not by a copy of the
URL pattern; only models of the historical state are used."""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import migrations
from django.http.request import validate_host
from django.urls import Resolver404, resolve, reverse


def site_hosts(City) -> tuple[list[str], dict[str, str]]:
    """(host patterns of this site, {custom domain: city slug})."""
    allowed = list(settings.ALLOWED_HOSTS)
    if not allowed and settings.DEBUG:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django itself allows then
    site = urlsplit(getattr(settings, "SITE_URL", "")).hostname
    if site:
        allowed.append(site)
    domains = dict(City.objects.exclude(custom_domain=None).values_list("custom_domain", "slug"))
    return allowed, domains


def local_path(url: str, allowed: list[str], domains: dict[str, str]) -> str | None:
    """The path on this site that `url` points to, or None when it points elsewhere."""
    try:
        parts = urlsplit(str(url).strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    path = unquote(parts.path)
    if not path.startswith("/"):
        return None
    if parts.netloc:
        slug = domains.get(host)
        if slug is not None:
            if not path.startswith(f"/{slug}/"):
                path = f"/{slug}{path}"
        elif not validate_host(host, allowed):
            return None
    return path


def proposal_id_of(url: str, city, Proposal, allowed, domains) -> int | None:
    """The id of the proposal of `city` that `url` shows, or None."""
    path = local_path(url, allowed, domains)
    if path is None:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "proposals:detail" or match.kwargs.get("city_slug") != city.slug:
        return None
    ids = match.kwargs["proposal_id"], match.kwargs["component_id"]
    if not all(0 < n < 2**63 for n in ids):  # too large for the database (SQLite would overflow)
        return None
    return (
        Proposal.objects.filter(
            pk=ids[0],
            city_id=city.pk,
            component_id=ids[1],
            component__phase__process__slug=match.kwargs["process_slug"],
        )
        .values_list("pk", flat=True)
        .first()
    )


def link_outcomes(apps, schema_editor) -> None:
    Meeting = apps.get_model("events", "Meeting")
    MeetingProposal = apps.get_model("events", "MeetingProposal")
    Proposal = apps.get_model("proposals", "Proposal")
    allowed, domains = site_hosts(apps.get_model("cities", "City"))
    for meeting in Meeting.objects.select_related("city").order_by("pk").iterator():
        if not meeting.outcomes:
            continue
        keep = []
        for item in meeting.outcomes:
            pk = proposal_id_of(item.get("url", ""), meeting.city, Proposal, allowed, domains)
            if pk is None:
                keep.append(item)
            else:
                MeetingProposal.objects.get_or_create(
                    meeting_id=meeting.pk, proposal_id=pk, defaults={"city_id": meeting.city_id}
                )
        if keep != meeting.outcomes:
            meeting.outcomes = keep
            meeting.save(update_fields=["outcomes"])


def unlink_outcomes(apps, schema_editor) -> None:
    """Back: every linked proposal becomes a free link to its page again (free links are absolute)."""
    MeetingProposal = apps.get_model("events", "MeetingProposal")
    links = MeetingProposal.objects.select_related(
        "meeting", "city", "proposal__component__phase__process"
    ).order_by("meeting_id", "pk")
    for link in links:
        proposal = link.proposal
        url = settings.SITE_URL + reverse(
            "proposals:detail",
            kwargs={
                "city_slug": link.city.slug,
                "process_slug": proposal.component.phase.process.slug,
                "component_id": proposal.component_id,
                "proposal_id": proposal.pk,
            },
        )
        meeting = link.meeting
        meeting.refresh_from_db(fields=["outcomes"])
        meeting.outcomes = [*meeting.outcomes, {"title": proposal.title[:200], "url": url}]
        meeting.save(update_fields=["outcomes"])
        link.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_proposals_of_meetings"),
        ("proposals", "0002_sqlite_fts"),
        ("cities", "0002_map_centre"),
    ]

    operations = [migrations.RunPython(link_outcomes, unlink_outcomes)]
