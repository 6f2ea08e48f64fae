"""The tests gate's config: built-in categories, merging a table into them, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.tests_gate import gate_config
from pydantic import ValidationError

from atlas_ci import config, plan
from atlas_ci.checks.testsuite import CategoryCheck, expand
from atlas_ci.checks.testsuite.settings import CategorySettings, TestsGateSettings
from atlas_ci.errors import ConfigError

pytestmark = pytest.mark.unit


def test_four_builtin_categories_selecting_by_path():
    cats = TestsGateSettings().categories
    assert list(cats) == ["unit", "integration", "observability", "reliability"]
    assert cats["unit"].paths == ("tests",)
    assert cats["integration"].paths == ("tests/integration",)
    assert {n: c.marker for n, c in cats.items()} == dict.fromkeys(cats, "")
    assert all(c.allow_empty for c in cats.values())


def test_a_table_for_a_builtin_category_changes_only_its_keys():
    cats = gate_config({"categories": {"unit": {"workers": "auto", "timeout": 30}}}).categories
    assert cats["unit"].workers == "auto"
    assert cats["unit"].timeout == 30
    assert cats["unit"].paths == ("tests",)
    assert cats["unit"].marker == ""
    assert cats["unit"].allow_empty is True


def test_a_new_category_defaults_to_its_name_as_marker_and_must_find_tests():
    cats = gate_config({"categories": {"smoke": {"paths": ["tests/smoke"]}}}).categories
    assert list(cats)[-1] == "smoke"
    assert cats["smoke"].marker == "smoke"
    assert cats["smoke"].allow_empty is False


def test_marker_can_be_turned_off_for_path_only_selection():
    cats = gate_config({"categories": {"e2e": {"paths": ["e2e"], "marker": ""}}}).categories
    assert cats["e2e"].marker == ""


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ({"coverage": {"paths": ["x"]}}, "taken by the check tests.coverage"),
        ({"bad name": {"paths": ["x"]}}, "use letters, digits"),
        ({"e2e": {"marker": ""}}, "selects nothing"),
        ({"unit": {"marker": "slow and not net"}}, "marker name, not an expression"),
        ({"unit": {"workers": 0}}, "at least 1"),
        ({"unit": {"pathz": ["x"]}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_categories_are_refused(categories, message):
    with pytest.raises(ValidationError, match=message):
        gate_config({"categories": categories})


def test_coverage_thresholds_are_percentages():
    assert gate_config().coverage.min == 80
    assert gate_config().coverage.min_new is None
    with pytest.raises(ValidationError):
        gate_config({"coverage": {"min": 120}})


def test_config_errors_name_the_key_and_line(tmp_path: Path):
    (tmp_path / "atlas-ci.toml").write_text("[gates.tests.categories.unit]\nworkers = 0\n")
    with pytest.raises(ConfigError) as err:
        config.load(tmp_path)
    assert "gates.tests.categories.unit.workers" in str(err.value)
    assert err.value.line == 2


def test_every_category_becomes_a_check_before_coverage(tmp_path: Path):
    (tmp_path / "atlas-ci.toml").write_text(
        "[gates.tests.categories.smoke]\nmarker = 'smoke'\n[gates.tests.categories.reliability]\n"
        "enabled = false\n"
    )
    planned = plan.all_checks(config.load(tmp_path), ["tests"])
    assert [p.id for p in planned] == [
        "tests.unit",
        "tests.integration",
        "tests.observability",
        "tests.reliability",
        "tests.smoke",
        "tests.coverage",
    ]
    by_id = {p.id: p for p in planned}
    assert by_id["tests.reliability"].skip_reason == "disabled in config"
    assert isinstance(by_id["tests.smoke"].settings, CategorySettings)


def test_expand_on_plain_gate_settings_gives_the_builtin_categories():
    from atlas_ci.settings import GateSettings

    pairs = expand(GateSettings())
    assert [c.name for c, _ in pairs] == ["unit", "integration", "observability", "reliability"]
    assert all(isinstance(c, CategoryCheck) and c.gate == "tests" for c, _ in pairs)


def test_an_exclusive_category_runs_alone_but_still_before_coverage(tmp_path: Path):
    (tmp_path / "atlas-ci.toml").write_text(
        "[gates.tests.categories.integration]\nexclusive = true\n"
    )
    planned = plan.all_checks(config.load(tmp_path), ["tests"])
    alone = [p.id for p in planned if p.check.exclusive]
    # The runner runs exclusive checks one by one in plan order, after the parallel batch.
    assert alone == ["tests.integration", "tests.coverage"]


def test_gate_settings_hash_like_other_frozen_settings():
    a = gate_config({"categories": {"unit": {"workers": 2}}})
    b = gate_config({"categories": {"unit": {"workers": 2}}})
    c = gate_config({"categories": {"unit": {"workers": 3}}})
    assert hash(a) == hash(b)
    assert a == b
    assert hash(a) != hash(c)
