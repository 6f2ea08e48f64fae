"""Finding the manifest line that declares a package."""

from __future__ import annotations

import pytest

from atlas_ci.checks.security.manifests import Declaration, pyproject_index, requirements_index

pytestmark = pytest.mark.unit


def test_requirements_lines_with_comments_options_continuations_and_includes(tmp_path):
    (tmp_path / "reqs").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "# pinned runtime deps\n"
        "--index-url https://example.invalid/simple\n"
        "Requests==2.19.0  # http\n"
        "\n"
        "Flask \\\n"
        "    >=2.0\n"
        "-e ./local/pkg\n"
        "-r reqs/extra.txt\n"
        "zope.interface[test]>=5 ; python_version > '3.8'\n"
    )
    (tmp_path / "reqs" / "extra.txt").write_text("pyyaml==6.0\nrequests==2.31\n")
    index = requirements_index(tmp_path, ["requirements.txt"])
    assert index == {
        "requests": Declaration("requirements.txt", 3),
        "flask": Declaration("requirements.txt", 5),
        "zope-interface": Declaration("requirements.txt", 9),
        "pyyaml": Declaration("reqs/extra.txt", 1),
    }


def test_include_cycles_terminate(tmp_path):
    (tmp_path / "a.txt").write_text("-r b.txt\nattrs\n")
    (tmp_path / "b.txt").write_text("-r a.txt\nsix\n")
    index = requirements_index(tmp_path, ["a.txt"])
    assert index == {"attrs": Declaration("a.txt", 2), "six": Declaration("b.txt", 2)}


def test_pyproject_dependencies_and_extras(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\nversion = '1'\n"
        "dependencies = [\n"
        '  "Requests>=2.19",\n'
        "  'PyYAML==6.0',\n"
        "]\n"
        "[project.optional-dependencies]\n"
        'dev = ["pytest>=8"]\n'
    )
    assert pyproject_index(tmp_path) == {
        "requests": Declaration("pyproject.toml", 5),
        "pyyaml": Declaration("pyproject.toml", 6),
        "pytest": Declaration("pyproject.toml", 9),
    }


def test_no_pyproject_is_an_empty_index(tmp_path):
    assert pyproject_index(tmp_path) == {}
