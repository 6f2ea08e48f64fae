"""Validation rules of request bodies and query strings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from atlas.models import MAX_TAGS, ListQuery, NearQuery, PlaceIn, error_details
from pydantic import ValidationError

pytestmark = pytest.mark.unit


def valid(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "London", "latitude": 51.5, "longitude": -0.12, "tags": []}
    body.update(overrides)
    return body


def error_types(exc: ValidationError) -> set[str]:
    return {str(err["type"]) for err in exc.errors()}


def test_valid_place_parses() -> None:
    place = PlaceIn.model_validate_json(json.dumps(valid(tags=["City", " capital ", "city"])))
    assert place.name == "London"
    assert place.latitude == 51.5
    # Lower-cased, trimmed and de-duplicated in first-seen order.
    assert place.tags == ["city", "capital"]


def test_tags_default_to_empty_and_integers_are_accepted_as_coordinates() -> None:
    place = PlaceIn.model_validate_json('{"name": "Null Island", "latitude": 0, "longitude": 0}')
    assert place.tags == []
    assert place.latitude == 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", 90.0001),
        ("latitude", -91),
        ("longitude", 180.5),
        ("longitude", -181),
    ],
)
def test_out_of_range_coordinates_are_rejected(field: str, value: float) -> None:
    with pytest.raises(ValidationError) as info:
        PlaceIn.model_validate_json(json.dumps(valid(**{field: value})))
    assert {err["loc"][0] for err in info.value.errors()} == {field}


def test_boundary_coordinates_are_accepted() -> None:
    for lat, lon in [(90, 180), (-90, -180)]:
        PlaceIn.model_validate_json(json.dumps(valid(latitude=lat, longitude=lon)))


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        PlaceIn.model_validate_json(json.dumps(valid(lat=1.0)))
    assert "extra_forbidden" in error_types(info.value)


@pytest.mark.parametrize(
    "body",
    [
        valid(latitude="51.5"),  # a numeric string is not a number
        valid(latitude=True),
        valid(name=42),
        valid(tags="city"),
        valid(tags=[1]),
    ],
)
def test_wrong_types_are_rejected_strictly(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate_json(json.dumps(body))


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_bad_names_are_rejected(name: str) -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate_json(json.dumps(valid(name=name)))


@pytest.mark.parametrize("tag", ["", "has space", "semi;colon", "x" * 65])
def test_bad_tags_are_rejected(tag: str) -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate_json(json.dumps(valid(tags=[tag])))


def test_too_many_tags_are_rejected() -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate_json(json.dumps(valid(tags=[f"t{i}" for i in range(MAX_TAGS + 1)])))


def test_missing_fields_are_reported_by_name() -> None:
    with pytest.raises(ValidationError) as info:
        PlaceIn.model_validate_json("{}")
    assert {err["loc"][0] for err in info.value.errors()} == {"name", "latitude", "longitude"}


@pytest.mark.parametrize("text", ["{", "not json", '{"name": "a",}', ""])
def test_malformed_json_is_flagged_as_such(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        PlaceIn.model_validate_json(text)
    assert error_types(info.value) == {"json_invalid"}


def test_nan_is_not_a_coordinate() -> None:
    with pytest.raises(ValidationError):
        PlaceIn.model_validate_json('{"name": "a", "latitude": NaN, "longitude": 0}')


def test_near_query_parses_strings_and_applies_defaults() -> None:
    query = NearQuery.model_validate({"lat": "51.5", "lon": "-0.1"})
    assert (query.lat, query.lon, query.radius_km, query.limit) == (51.5, -0.1, 10.0, 10)


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "91", "lon": "0"},
        {"lat": "0", "lon": "-180.1"},
        {"lat": "0", "lon": "0", "radius_km": "0"},
        {"lat": "0", "lon": "0", "radius_km": "-5"},
        {"lat": "0", "lon": "0", "radius_km": "30000"},
        {"lat": "0", "lon": "0", "limit": "0"},
        {"lat": "0", "lon": "0", "limit": "101"},
        {"lat": "nan", "lon": "0"},
        {"lat": "0"},
        {"lat": "0", "lon": "0", "radius": "5"},
    ],
)
def test_bad_near_queries_are_rejected(params: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        NearQuery.model_validate(params)


def test_list_query_normalises_tag_and_bounds_limit() -> None:
    assert ListQuery.model_validate({"tag": "City"}).tag == "city"
    with pytest.raises(ValidationError):
        ListQuery.model_validate({"limit": "1001"})
    with pytest.raises(ValidationError):
        ListQuery.model_validate({"tags": "city"})


def test_error_details_name_fields_and_omit_input() -> None:
    # The unknown field's value must never be echoed back in the error details.
    unknown = {"secret": "hunter2"}  # pragma: allowlist secret
    with pytest.raises(ValidationError) as info:
        PlaceIn.model_validate_json(json.dumps(valid(latitude=100, **unknown)))
    details = error_details(info.value.errors())
    assert {d["field"] for d in details} == {"latitude", "secret"}
    assert all(set(d) == {"field", "message", "type"} for d in details)
    assert "hunter2" not in json.dumps(details)
