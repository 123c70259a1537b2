import pytest

from tests.factories import CityFactory, ProcessFactory


def test_the_openapi_document_is_version_3_1(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/cities", "/api/v1/cities/{city}", "/api/v1/cities/{city}/processes"} <= set(doc["paths"])


def test_cities_are_listed_with_pagination(client, db):
    for i in range(25):
        CityFactory(name=f"Town {i:02}", slug=f"town-{i:02}")
    first = client.get("/api/v1/cities").json()
    assert first["count"] == 25 and len(first["items"]) == 20
    rest = client.get("/api/v1/cities?limit=10&offset=20").json()
    assert [c["slug"] for c in rest["items"]] == [f"town-{i:02}" for i in range(20, 25)]
    assert rest["items"][0] == {
        "slug": "town-20",
        "name": "Town 20",
        "country": "ES",
        "languages": ["es", "en"],
        "time_zone": "Europe/Madrid",
        "population": 100000,
        "url": "/town-20/",
    }


def test_a_citys_processes_show_phases_and_the_active_one(client, aurora_process, aurora_draft):
    body = client.get("/api/v1/cities/aurora/processes").json()
    assert [p["slug"] for p in body["items"]] == ["green-streets"]
    process = body["items"][0]
    assert process["stage"] == "active" and process["active_phase"] == 1
    assert [p["kind"] for p in process["phases"]] == [
        "diagnosis",
        "co_design",
        "decision",
        "delivery",
        "evaluation",
    ]


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "limit=abc", "offset=-1", "offset=99999999999999999999"]
)
def test_malformed_paging_is_a_422_with_a_json_body(client, aurora, query):
    response = client.get(f"/api/v1/cities/aurora/processes?{query}")
    assert response.status_code == 422
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/cities/atlantis", "/api/v1/cities/atlantis/processes"])
def test_an_unknown_city_is_a_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_listing_processes_takes_a_constant_number_of_queries(client, aurora, django_assert_max_num_queries):
    for _ in range(8):
        ProcessFactory(city=aurora)
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/cities/aurora/processes").json()["items"]) == 8
