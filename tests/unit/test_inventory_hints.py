"""doctor's hints name config tables that exist (test categories live under `categories`)."""

from __future__ import annotations

import pytest

from atlas_ci import config, inventory

pytestmark = pytest.mark.unit


def test_a_missing_pytest_points_at_the_categories_table():
    rows = [inventory.Row("tests.unit", True, "", "pytest", None, True)]
    (hint,) = inventory.problems(rows)
    assert hint.endswith("set `command` under [gates.tests.categories.unit]")


@pytest.mark.parametrize(
    "check", ["tests.unit", "tests.integration", "tests.coverage", "quality.lint"]
)
def test_every_hinted_table_is_accepted_by_the_config(check, tmp_path):
    table = inventory.config_table(check)
    (tmp_path / "atlas-ci.toml").write_text(f'[{table}]\ncommand = ["x"]\n')
    loaded = config.load(tmp_path)  # unknown tables are config errors: this one exists
    assert loaded is not None
