from civiclab.surveys import actions

from .conftest import answers, residents


def test_the_api_gives_questions_and_suppressed_results(client, anonymous_survey, aurora):
    for person in residents(aurora, 11):
        actions.do_answer_survey(anonymous_survey, person, answers(anonymous_survey))
    listing = client.get("/api/v1/cities/aurora/surveys").json()
    assert listing["items"][0]["id"] == anonymous_survey.component_id
    data = client.get(f"/api/v1/cities/aurora/surveys/{anonymous_survey.component_id}").json()
    assert data["responses"] == 11
    assert data["questions"][2]["shown_if"] == {"question": 2, "answer": "Bike"}
    mode = data["results"][1]["tables"][0]["counts"]
    assert [c["count"] for c in mode] == [11, None, None]
    assert "Wider lanes" not in str(data)  # free text never leaves the staff pages


def test_results_stay_out_of_the_api_until_published(client, survey, aurora):
    data = client.get(f"/api/v1/cities/aurora/surveys/{survey.component_id}").json()
    assert data["results"] is None and data["responses"] is None


def test_another_citys_survey_is_404(client, survey):
    assert client.get(f"/api/v1/cities/borealis/surveys/{survey.component_id}").status_code == 404
