"""security.dependencies finds what a project declares without configuration (real pip-audit).

A setup.cfg project (its build backend's metadata, read on a copy inside the report directory) and a
requirements-only project, audited against the offline advisory fixture: the known-vulnerable pin
requests==2.19.0 is found in both, at the line declaring it.
"""

from __future__ import annotations

import pytest

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

SETUP_CFG = """\
[metadata]
name = demo
version = 1.0

[options]
packages = find:
install_requires =
    requests==2.19.0
"""


def _vulnerable(res) -> tuple[str, str, int | None]:
    assert res.status is Status.FAILED, res.reason
    found = [f for f in res.findings if f.rule_id == "PYSEC-2018-28"]
    assert found, [f.rule_id for f in res.findings]
    return found[0].rule_id, found[0].location.path, found[0].location.start_line


@pytest.mark.slow  # an isolated build environment plus pip-audit's resolution: about a minute
def test_a_setup_cfg_project_is_audited_through_its_build_backends_metadata(
    tmp_path, run_check, advisories_dir
):
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "__init__.py").write_text("")
    res = run_check("dependencies", tmp_path, advisory_db=str(advisories_dir))
    assert _vulnerable(res) == ("PYSEC-2018-28", "setup.cfg", 8)
    # The backend ran on a copy: nothing was written into the project (egg-info, build/).
    made = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert made == {"setup.cfg", "demo", "reports"}


def test_a_requirements_only_project_is_audited(tmp_path, run_check, advisories_dir):
    (tmp_path / "requirements.txt").write_text("# pinned\nrequests==2.19.0\n")
    (tmp_path / "requirements-dev.txt").write_text("idna==2.7\n")
    res = run_check("dependencies", tmp_path, advisory_db=str(advisories_dir))
    assert _vulnerable(res) == ("PYSEC-2018-28", "requirements.txt", 2)


def test_a_backend_that_cannot_say_is_an_error_with_a_hint(tmp_path, run_check, advisories_dir):
    (tmp_path / "setup.py").write_text("raise SystemExit('this setup.py is broken')\n")
    res = run_check("dependencies", tmp_path, advisory_db=str(advisories_dir))
    assert res.status is Status.ERROR
    assert res.reason.startswith("cannot read the dependencies setup.py declares")
    assert "requirements" in res.reason
