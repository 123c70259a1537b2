"""Authors bring their proposal from the co-creation phase into a participatory budget as a project."""

from django.urls import reverse

from civiclab.budgeting.models import Project
from tests.conftest import make_budget
from tests.proposals.conftest import add_component, make_proposal


def collecting(city):
    return make_budget(city, slug="ideas", opens_in=10, closes_in=20)


def new_project_url(budget, proposal):
    return (
        reverse("budgeting:project_new", args=[budget.city.slug, budget.slug])
        + f"?from_proposal={proposal.pk}"
    )


def test_the_author_brings_a_proposal_in_with_its_text_and_place(client, aurora, aurora_process, carol):
    budget = collecting(aurora)
    proposal = make_proposal(add_component(aurora_process), carol, latitude="39.47", longitude="-0.37")
    client.force_login(carol)
    detail = reverse(
        "proposals:detail", args=["aurora", aurora_process.slug, proposal.component_id, proposal.pk]
    )
    assert new_project_url(budget, proposal) in client.get(detail).content.decode().replace("&amp;", "&")
    form = client.get(new_project_url(budget, proposal))
    assert form.context["form"].initial["title"] == proposal.title
    response = client.post(
        new_project_url(budget, proposal),
        {"title": proposal.title, "description": proposal.body, "cost": "30", "from_proposal": proposal.pk},
    )
    assert response.status_code == 302
    project = Project.objects.get(budget=budget, source_proposal=proposal)
    page = client.get(response.url).content.decode()
    assert detail in page  # the project links back to its proposal
    # Once per budget.
    again = client.post(
        new_project_url(budget, proposal),
        {"title": "Again", "description": "Again", "cost": "30", "from_proposal": proposal.pk},
    )
    assert again.status_code == 400
    assert Project.objects.filter(source_proposal=proposal).count() == 1
    assert project.author == carol


def test_only_its_authors_may_bring_a_proposal(client, aurora, aurora_process, carol, alice):
    budget = collecting(aurora)
    proposal = make_proposal(add_component(aurora_process), carol)
    client.force_login(alice)  # even a city admin is not its author
    assert client.get(new_project_url(budget, proposal)).status_code == 404
    response = client.post(
        new_project_url(budget, proposal),
        {"title": "Mine", "description": "Mine now", "cost": "30", "from_proposal": proposal.pk},
    )
    assert response.status_code == 404
    assert not Project.objects.filter(source_proposal=proposal).exists()


def test_another_citys_proposal_cannot_be_brought_in(client, aurora, borealis_process, eve):
    budget = collecting(aurora)
    theirs = make_proposal(add_component(borealis_process), eve)
    client.force_login(eve)
    assert client.get(new_project_url(budget, theirs)).status_code == 404
