"""The reliability section's config examples in the README validate as they are written."""

from __future__ import annotations

import re
from pathlib import Path

from atlas_ci import config

README = Path(__file__).resolve().parents[3] / "README.md"


def test_reliability_examples_validate(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(\[gates\.reliability.*?)```", README.read_text(), re.S)
    assert len(blocks) == 2, "the service/load example and the endurance/recovery example"
    (tmp_path / "atlas-ci.toml").write_text("\n".join(blocks))
    gate = config.load(tmp_path).gate("reliability")
    assert gate.service.database == "atlas.db"  # type: ignore[attr-defined]
    assert gate.recovery.kills == 20  # type: ignore[attr-defined]
    assert gate.endurance.duration == 300  # type: ignore[attr-defined]


def test_this_repositorys_config_sets_the_issue_durations() -> None:
    gate = config.load(README.parent).gate("reliability")
    assert gate.load.run_time == 60  # type: ignore[attr-defined]
    assert gate.endurance.duration == 300  # type: ignore[attr-defined]
    assert gate.recovery.kills == 20  # type: ignore[attr-defined]
