"""What scripts/test-newest installs: the newest Home Assistant, its test harness where one exists, and
requirements.txt re-pinned to that Home Assistant.

    newest_env.py versions [VERSION]   the Home Assistant release (VERSION, or the newest this Python can
                                       install) and the pytest-homeassistant-custom-component release that
                                       pins it, or "none": "2026.11.0 none"
    newest_env.py requirements         requirements.txt for the installed Home Assistant (and harness)
    newest_env.py requirements --runtime   only what Home Assistant runs the demo with

Run with the new environment's Python: it asks PyPI through that environment's pip.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
from pathlib import Path
import subprocess
import sys
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
HARNESS = "pytest-homeassistant-custom-component"
# Harness releases follow Home Assistant's, one or a few per release: a harness for a given Home
# Assistant is among the newest few, or there is none.
HARNESS_LOOKUPS = 10


def release(requirement: str) -> dict[str, Any]:
    """The release pip would install for a requirement (without installing it): its metadata."""
    pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed", "--quiet"]
    answer = subprocess.run(
        [*pip, "--report", "-", requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode:
        return {}
    installs = json.loads(answer.stdout)["install"]
    return dict(installs[0]["metadata"]) if installs else {}


def pinned_home_assistant(harness: dict[str, Any]) -> Version | None:
    """The Home Assistant version a harness release pins."""
    for line in harness.get("requires_dist") or []:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == "homeassistant":
            pins = [spec.version for spec in requirement.specifier if spec.operator == "=="]
            return Version(pins[0]) if pins else None
    return None


def harness_for(home_assistant: Version) -> str | None:
    """The newest harness release that pins this Home Assistant, walking down from the newest harness."""
    requirement = HARNESS
    for _ in range(HARNESS_LOOKUPS):
        harness = release(requirement)
        if not harness:
            return None
        pinned = pinned_home_assistant(harness)
        if pinned == home_assistant:
            return str(harness["version"])
        if pinned is not None and pinned < home_assistant:
            return None  # the newest harness is older than this Home Assistant
        requirement = f"{HARNESS}<{harness['version']}"
    return None


def versions(wanted: str | None) -> str:
    """'<home assistant> <harness or none>'."""
    home_assistant = wanted or release("homeassistant").get("version")
    if not home_assistant:
        sys.exit("PyPI did not say which Home Assistant is the newest (is it reachable?)")
    return f"{home_assistant} {harness_for(Version(home_assistant)) or 'none'}"


def home_assistant_pins() -> dict[str, str]:
    """Every package the installed Home Assistant pins (its constraints and its components' manifests),
    and its harness where one is installed; the harness's pins come first."""
    import homeassistant  # noqa: PLC0415

    package = Path(homeassistant.__file__).parent
    lines: list[str] = []
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        lines += importlib.metadata.requires(HARNESS) or []
    lines += (package / "package_constraints.txt").read_text(encoding="utf-8").splitlines()
    for manifest in sorted((package / "components").glob("*/manifest.json")):
        lines += json.loads(manifest.read_text(encoding="utf-8")).get("requirements", [])
    pins: dict[str, str] = {}
    for line in lines:
        try:
            requirement = Requirement(line.split("#")[0].strip())
        except InvalidRequirement:
            continue  # comments, blank lines, options
        if requirement.specifier:
            pins.setdefault(canonicalize_name(requirement.name), str(requirement))
    return pins


def requirements(runtime: bool) -> list[str]:
    """requirements.txt with Home Assistant's own pins where it has one; the harness and Home Assistant
    themselves are left out (installed first, at the versions found). With runtime, only what Home
    Assistant pins, and what the integration's manifest asks."""
    pins = home_assistant_pins()
    lines = []
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#")[0].strip()
        if not text:
            continue
        name = canonicalize_name(Requirement(text).name)
        if name in {"homeassistant", HARNESS}:
            continue
        if name in pins:
            lines.append(pins[name])
        elif not runtime:
            lines.append(text)
    if runtime:
        manifest = ROOT / "custom_components" / "in_home_delivery" / "manifest.json"
        lines += json.loads(manifest.read_text(encoding="utf-8")).get("requirements", [])
    return lines


def main() -> None:
    """Answer the command."""
    match sys.argv[1:]:
        case ["versions", *wanted] if len(wanted) <= 1:
            print(versions(wanted[0] if wanted else None))
        case ["requirements", *flags] if set(flags) <= {"--runtime"}:
            print("\n".join(requirements(runtime="--runtime" in flags)))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main()
