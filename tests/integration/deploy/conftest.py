"""One build of the fixture distributions per test session, shared by the package, SBOM and
secrets tests (building wheels is the slow part)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.deploy import FIXTURES, git_repo, make_ctx

from atlas_ci.checks.base import Check, CheckContext
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.settings import CheckSettings

# Built at test time by concatenation: no credential-shaped literal lives in the repository.
AWS_KEY_ID = "AKIA" + "Z7QW3RT5" + "YU2IOPLK"


@dataclass(frozen=True)
class BuiltRepo:
    root: Path
    report_dir: Path
    gate: DeployGateSettings

    def ctx(self, check: Check, settings: CheckSettings | None = None) -> CheckContext:
        return make_ctx(
            check,
            self.root,
            settings=settings,
            gate_settings=self.gate,
            report_dir=self.report_dir,
        )


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> BuiltRepo:
    root = tmp_path_factory.mktemp("deploy") / "repo"
    shutil.copytree(FIXTURES / "packages", root)
    (root / "leaky" / "leaky" / ".env").write_text(f"AWS_ACCESS_KEY_ID={AWS_KEY_ID}\n")
    git_repo(root)
    gate = DeployGateSettings(distributions=("good", "brokendesc", "leaky"), build_isolation=False)
    return BuiltRepo(root, root.parent / "reports", gate)
