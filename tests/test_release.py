"""What HACS installs: the release zip named in hacs.json, versions in step with the changelog and pyproject."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib

ROOT = Path(__file__).parent.parent


def test_versions_in_step() -> None:
    """manifest.json's version has its CHANGELOG section, and is the newest one."""
    version = json.loads((ROOT / "custom_components/in_home_delivery/manifest.json").read_text())["version"]
    sections = re.findall(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert sections[0] == version


def test_pyproject_has_the_manifests_version() -> None:
    """pyproject.toml names the same version as manifest.json, the one HACS and Home Assistant show."""
    version = json.loads((ROOT / "custom_components/in_home_delivery/manifest.json").read_text())["version"]
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == version


def test_hacs_installs_the_release_zip() -> None:
    """hacs.json asks for the zip the release workflow attaches."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["zip_release"] is True
    workflow = (ROOT / ".github/workflows/release.yml").read_text()
    assert hacs["filename"] in workflow
    assert "cd custom_components/in_home_delivery && zip -r" in workflow
