"""Maps are an enhancement over typed coordinates: Leaflet (installed from npm at setup) loads only on pages
that hold a map, a click fills the typed fields, and a place is shown on a map with its text beside it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from civiclab.budgeting.models import Project
from tests.conftest import make_budget

from .steps import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def collecting(aurora):
    aurora.latitude, aurora.longitude = 60.1699, 24.9384
    aurora.save()
    return make_budget(aurora, slug="ideas", opens_in=10, closes_in=20)


def test_a_click_on_the_map_fills_the_typed_coordinates(page, collecting, carol):
    sign_in(page, "carol@example.org")
    page.goto(f"/aurora/budgets/{collecting.slug}/projects/new/")
    page.get_by_role("button", name="Choose the place on a map").click()
    canvas = page.locator("[data-map-picker] .map-canvas")
    expect(canvas).to_be_visible()
    expect(canvas).to_be_focused()
    expect(page.get_by_label("Latitude")).to_have_value("")
    canvas.click(position={"x": 120, "y": 80})
    latitude = float(page.get_by_label("Latitude").input_value())
    longitude = float(page.get_by_label("Longitude").input_value())
    # The map opened on the city's centre, so the click lands near it.
    assert abs(latitude - 60.17) < 0.2 and abs(longitude - 24.94) < 0.3
    expect(canvas.locator(".leaflet-marker-icon")).to_have_count(1)


def test_a_place_is_shown_on_a_map_and_as_text(page, collecting):
    project = Project.objects.filter(budget=collecting).first()
    project.latitude, project.longitude = Decimal("60.16990"), Decimal("24.93840")
    project.save()
    page.goto(f"/aurora/budgets/{collecting.slug}/projects/{project.pk}/")
    page.get_by_role("button", name="Show on a map").click()
    marker = page.locator("[data-map-point] .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    # The marker image is served (its address comes from the page, not guessed by Leaflet).
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-map-point] .leaflet-marker-icon');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    expect(page.locator("[data-map-point]")).to_contain_text("60.16990, 24.93840")


def test_leaflet_loads_only_when_a_map_is_asked_for(page, collecting, carol):
    sign_in(page, "carol@example.org")
    loaded = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(f"/aurora/budgets/{collecting.slug}/")
    page.wait_for_load_state("load")
    page.goto(f"/aurora/budgets/{collecting.slug}/projects/new/")
    page.wait_for_load_state("load")
    assert not [url for url in loaded if "leaflet" in url]
    page.get_by_role("button", name="Choose the place on a map").click()
    expect(page.locator(".leaflet-container")).to_be_visible()
    assert [url for url in loaded if url.endswith("leaflet.js")]
