"""deploy.package, deploy.sbom and deploy.secrets with the real tools on fixture distributions."""

from __future__ import annotations

from atlas_ci import reporting
from atlas_ci.checks.deploy import build
from atlas_ci.checks.deploy.package import Package
from atlas_ci.checks.deploy.sbom import Sbom, validate
from atlas_ci.checks.deploy.secrets import DeploySecrets
from atlas_ci.model import Status

from .conftest import AWS_KEY_ID, BuiltRepo


def test_build_is_shared_by_the_checks(built_repo: BuiltRepo) -> None:
    first = build.ensure(built_repo.ctx(Package()))
    again = build.ensure(built_repo.ctx(DeploySecrets()))
    # One build, whichever check asks first: the same objects, not a second build.
    assert all(a is b for a, b in zip(first.dists, again.dists, strict=True))
    names = [(d.name, d.version) for d in first.dists]
    assert names == [("deploy-good", "1.2.0"), ("brokendesc", "0.3.0"), ("leaky", "0.1.0")]
    assert all(d.venv is not None for d in first.dists)
    assert first.dists[0].scripts == ("deploy-good",)


def test_broken_long_description_fails_twine_check_only(built_repo: BuiltRepo) -> None:
    res = Package().run(built_repo.ctx(Package()))
    assert res.status is Status.FAILED
    twine = [f for f in res.findings if f.rule_id == "twine-check"]
    # The wheel and the sdist of brokendesc, and nothing of the other two distributions.
    assert sorted(f.message.split(":")[0] for f in twine) == [
        "twine check --strict brokendesc-0.3.0-py3-none-any.whl",
        "twine check --strict brokendesc-0.3.0.tar.gz",
    ]
    assert all("long_description" in f.message for f in twine)
    assert {f.location.path for f in twine if f.location} == {"brokendesc/pyproject.toml"}
    assert [f.rule_id for f in res.findings if f.rule_id != "twine-check"] == []


def test_shipped_env_file_with_an_aws_key_fails_without_the_key(built_repo: BuiltRepo) -> None:
    res = DeploySecrets().run(built_repo.ctx(DeploySecrets()))
    assert res.status is Status.FAILED
    paths = sorted(f.location.path for f in res.findings if f.location)
    # Found in both the wheel and the sdist of leaky, named by archive and member.
    assert any(p.endswith("leaky-0.1.0-py3-none-any.whl/leaky/.env") for p in paths), paths
    assert any(p.endswith("leaky-0.1.0.tar.gz/leaky-0.1.0/leaky/.env") for p in paths), paths
    assert {f.rule_id for f in res.findings} == {"aws-access-key"}
    report = reporting.build(
        [res], digest="0", started=reporting.datetime.now(reporting.UTC), duration=0, commit=None
    )
    rendered = reporting.render_all(report, ("json", "sarif", "markdown"), built_repo.root)
    for text in [res.reason, *rendered.values()]:
        assert AWS_KEY_ID not in text


def test_sbom_validates_and_is_reproducible(built_repo: BuiltRepo) -> None:
    # One distribution is enough here (cyclonedx-py is slow); its build is the shared one.
    only_good = BuiltRepo(
        built_repo.root,
        built_repo.report_dir,
        built_repo.gate.model_copy(update={"distributions": ("good",)}),
    )
    res = Sbom().run(only_good.ctx(Sbom()))
    assert res.status is Status.PASSED, res.reason
    assert res.artifacts == ("deploy/sbom/deploy-good-1.2.0.cdx.json",)
    path = built_repo.report_dir / res.artifacts[0]
    first = path.read_bytes()
    bom = validate(path)
    assert bom["bomFormat"] == "CycloneDX"
    assert bom["metadata"]["component"]["name"] == "deploy-good"
    assert bom["metadata"]["timestamp"].startswith("2026-01-01")  # the commit time
    path.unlink()
    Sbom().run(only_good.ctx(Sbom()))
    assert path.read_bytes() == first
