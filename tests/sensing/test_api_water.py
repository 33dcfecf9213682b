"""POST /api/v1/water/classify over HTTP with a real bearer token."""

import json

import pytest

URL = "/api/v1/water/classify"


@pytest.fixture
def shuiwu(api):
    return api("shuiwu")


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_a_river_is_classed_by_its_worst_parameter(shuiwu):
    body = {"values": {"w01001": 7.2, "w01009": 4.2, "w21003": 1.0, "w21011": 0.18,
                       "w01010": 24.5}, "water_body": "river"}  # fmt: skip
    response = post(shuiwu, body)
    assert response.status_code == 200, response.content.decode()
    found = response.json()
    assert (found["class"], found["class_number"], found["wording"]) == ("IV", 4, "轻度污染")
    assert found["deciding_parameter"] == {
        "code": "w01009", "name": "溶解氧", "value": 4.2, "class": "IV", "class_number": 4,
        "counts_for_class": True,
    }  # fmt: skip
    assert [(p["code"], p["class"]) for p in found["parameters"]] == [
        ("w01001", "I"), ("w01009", "IV"), ("w21003", "III"), ("w21011", "III"),
    ]  # fmt: skip
    assert found["not_evaluated"] == ["w01010"]
    assert (found["total_nitrogen_class"], found["note"]) == (None, "")


def test_worse_than_v(shuiwu):
    found = post(shuiwu, {"values": {"w01001": 9.01}}).json()
    assert (found["class"], found["class_number"], found["wording"]) == ("劣V", 6, "重度污染")


def test_a_lake_classes_total_nitrogen_on_its_own(shuiwu):
    body = {"values": {"w01009": 6.5, "w21011": 0.04, "w21001": 1.3}, "water_body": "lake"}
    found = post(shuiwu, body).json()
    assert (found["class"], found["wording"]) == ("III", "良好")
    assert found["total_nitrogen_class"] == "IV"
    assert found["deciding_parameter"]["code"] == "w21011"
    nitrogen = found["parameters"][-1]
    assert (nitrogen["code"], nitrogen["class"], nitrogen["counts_for_class"]) == (
        "w21001", "IV", False,
    )  # fmt: skip
    # The same values in a river: TP 0.04 is II, total nitrogen not used.
    river = post(shuiwu, body | {"water_body": "river"}).json()
    assert (river["class"], river["not_evaluated"]) == ("II", ["w21001"])


def test_no_evaluable_parameter_says_not_enough_data(shuiwu):
    found = post(shuiwu, {"values": {"w01010": 20.0, "foo": 1}}).json()
    assert found["class"] is None and found["class_number"] is None
    assert found["deciding_parameter"] is None and found["parameters"] == []
    assert found["not_evaluated"] == ["foo", "w01010"]
    assert "数据不足" in found["note"]


def test_any_signed_in_user_may_classify(api):
    for username in ("yuncheng", "renhe-village", "command"):
        assert post(api(username), {"values": {"w01009": 8}}).json()["class"] == "I"


def test_without_a_token_it_is_401(api):
    response = post(api(), {"values": {"w01009": 8}})
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "应为数字"), ("4.2", "应为数字"), (True, "应为数字"), (None, "应为数字")],
)
def test_a_non_numeric_value_is_422_naming_it(shuiwu, value, message):
    response = post(shuiwu, {"values": {"w01001": 7, "w01009": value}})
    assert response.status_code == 422
    assert fields(response) == ["values.w01009"]
    assert response.json()["errors"][0]["message"] == message


def test_nan_and_infinity_are_422(shuiwu):
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = f'{{"values": {{"w21003": {literal}}}}}'
        response = shuiwu.post(URL, raw, content_type="application/json")
        assert response.status_code == 422, literal
        assert fields(response) == ["values.w21003"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"values": {"w01009": 5}, "water_body": "sea"}, "water_body"),
        ({"water_body": "river"}, "values"),
        ({"values": [5.0]}, "values"),
        ({"values": {f"x{n}": 1.0 for n in range(65)}}, "values"),
        ({"values": {"x" * 33: 1.0}}, "values"),
    ],
)
def test_a_wrong_field_is_422_naming_it(shuiwu, body, field):
    response = post(shuiwu, body)
    assert response.status_code == 422, response.content.decode()
    assert all(f.startswith(field) for f in fields(response)), fields(response)
    assert response.json()["detail"].startswith("请求有误")


def test_a_body_that_is_not_json_is_422(shuiwu):
    response = shuiwu.post(URL, b"\xff{values", content_type="application/json")
    assert response.status_code == 400
    assert fields(response) == ["body"]


def test_the_openapi_document_has_the_examples(shuiwu):
    document = json.loads(shuiwu.get("/api/openapi.json").content)
    operation = document["paths"][URL]["post"]
    schemas = document["components"]["schemas"]
    assert schemas["ClassifyIn"]["examples"][0]["values"]["w01009"] == 4.2
    assert "class" in schemas["ClassifyOut"]["properties"]
    assert set(operation["responses"]) >= {"200", "401", "422"}
