"""The offline advisory directory: OSV range semantics, name normalization, malformed records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ci.checks.security import advisories
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit


def record(
    vid: str,
    name: str,
    events: list[dict[str, str]],
    versions: tuple[str, ...] = (),
    ecosystem: str = "PyPI",
) -> dict[str, object]:
    return {
        "id": vid,
        "aliases": [f"CVE-{vid}"],
        "affected": [
            {
                "package": {"name": name, "ecosystem": ecosystem},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": list(versions),
            }
        ],
    }


def db(*records: dict[str, object]) -> advisories.AdvisoryDB:
    return advisories.AdvisoryDB(records=tuple(records))  # type: ignore[arg-type]


def ids(found: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in found]


@pytest.mark.parametrize(
    ("version", "hit"),
    [("0.1", True), ("2.19.0", True), ("2.20.0rc1", True), ("2.20.0", False), ("3.0", False)],
)
def test_introduced_zero_until_fixed(version, hit):
    d = db(record("A", "requests", [{"introduced": "0"}, {"fixed": "2.20.0"}]))
    assert (ids(d.query("requests", version)) == ["A"]) is hit


@pytest.mark.parametrize(
    ("version", "hit"),
    [("1.0", False), ("1.2", True), ("1.4", True), ("1.4.1", False), ("2.0", True), ("2.1", False)],
)
def test_last_affected_and_reintroduction(version, hit):
    events = [
        {"introduced": "1.2"},
        {"last_affected": "1.4"},
        {"introduced": "2.0"},
        {"fixed": "2.1"},
    ]
    d = db(record("B", "pkg", events))
    assert bool(d.query("pkg", version)) is hit


def test_events_out_of_order_are_sorted_by_version():
    d = db(record("C", "pkg", [{"fixed": "2.0"}, {"introduced": "1.0"}]))
    assert ids(d.query("pkg", "1.5")) == ["C"]
    assert d.query("pkg", "2.0") == []


def test_explicit_version_list_matches_without_ranges():
    d = db(record("D", "pkg", [], versions=("1.0.0", "1.1")))
    assert ids(d.query("pkg", "1.0")) == ["D"]  # 1.0 == 1.0.0 as versions
    assert d.query("pkg", "1.2") == []


def test_names_are_normalized_and_returned_canonical():
    d = db(record("E", "Zope.Interface", [{"introduced": "0"}, {"fixed": "5"}]))
    (hit,) = d.query("zope-interface", "4.0")
    assert hit["affected"][0]["package"]["name"] == "zope-interface"
    assert d.records[0]["affected"][0]["package"]["name"] == "Zope.Interface"  # not mutated


def test_other_ecosystems_do_not_match():
    d = db(record("F", "requests", [{"introduced": "0"}], ecosystem="npm"))
    assert d.query("requests", "1.0") == []


def test_severity_label_is_found_by_id_or_alias():
    rec = record("GHSA-1", "pkg", [{"introduced": "0"}])
    rec["database_specific"] = {"severity": "MODERATE"}
    d = db(rec)
    assert d.severity_of({"CVE-GHSA-1"}) == "MODERATE"
    assert d.severity_of({"OTHER"}) is None


def test_load_reads_json_and_yaml_recursively(tmp_path: Path):
    (tmp_path / "vulns" / "pkg").mkdir(parents=True)
    rec = record("PYSEC-1", "pkg", [{"introduced": "0"}, {"fixed": "2"}])
    (tmp_path / "a.json").write_text(json.dumps(rec))
    (tmp_path / "vulns" / "pkg" / "PYSEC-2.yaml").write_text(
        "id: PYSEC-2\nmodified: 2021-06-10T06:51:18Z\naffected:\n"
        "- package: {name: pkg, ecosystem: PyPI}\n  versions: ['1.0']\n"
    )
    (tmp_path / "README.md").write_text("not a record")
    d = advisories.load(tmp_path)
    assert sorted(ids(d.query("pkg", "1.0"))) == ["PYSEC-1", "PYSEC-2"]
    yaml_record = next(r for r in d.records if r["id"] == "PYSEC-2")
    assert yaml_record["modified"] == "2021-06-10T06:51:18Z"  # RFC 3339 text, as pip-audit parses


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("broken.json", "{not json"),
        ("list.json", "[1, 2]"),
        ("noid.json", '{"affected": []}'),
        (
            "badversion.json",
            json.dumps(record("X", "pkg", [{"introduced": "0"}, {"fixed": "lol no"}])),
        ),
        ("nopackage.json", '{"id": "Y", "affected": [{"ranges": []}]}'),
        ("bad.yaml", "id: [unclosed"),
    ],
)
def test_a_malformed_record_is_an_error_naming_the_file(tmp_path: Path, name, text):
    (tmp_path / "ok.json").write_text(json.dumps(record("OK", "pkg", [{"introduced": "0"}])))
    (tmp_path / name).write_text(text)
    with pytest.raises(CheckError, match=f"malformed advisory file {name}"):
        advisories.load(tmp_path)


def test_an_empty_directory_is_an_error_not_a_clean_audit(tmp_path: Path):
    (tmp_path / "README.md").write_text("records go here")
    with pytest.raises(CheckError, match="advisory_db holds no OSV records"):
        advisories.load(tmp_path)


def test_a_missing_directory_is_an_error(tmp_path: Path):
    with pytest.raises(CheckError, match="not a directory"):
        advisories.load(tmp_path / "nope")


def test_the_stored_fixture_record_matches_requests_2_19(fixtures):
    d = advisories.load(fixtures / "advisories")
    (hit,) = d.query("Requests", "2.19.0")
    assert hit["id"] == "PYSEC-2018-28"
    assert "CVE-2018-18074" in hit["aliases"]
    assert d.query("requests", "2.20.0") == []
