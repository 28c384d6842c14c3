"""Wheels of what this environment has installed: fastbackend and the runtime's requirements.

`fastbackend build --wheels` and `docker:build` write them into the build folder, so the image
installs the versions the project was developed with, offline, and fastbackend itself (not a
PyPI project) from its own wheel. Each installed distribution is packed back into the wheel it
was installed from: its files as its RECORD lists them, its dist-info, and the tags its WHEEL
file kept. An editable install (a source checkout) is built with pip instead.

A requirement that is not installed here, or a compiled distribution on a platform the Linux
image cannot use, is left to the package index: ``WheelSet.missing`` names them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

OWN = "fastbackend"
REQUIREMENTS = "requirements.txt"
# Written by the installer, not part of the wheel (RECORD is written again).
INSTALLER_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
PIP_TIMEOUT_S = 600


@dataclass
class WheelSet:
    """What `write_wheels` wrote: wheel files, the pins of the runtime's closure (without
    fastbackend, installed with --no-deps), and requirements left to the index."""

    version: str
    wheels: list[str] = field(default_factory=list)
    pinned: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return not self.missing


def write_wheels(folder: Path, requirements: Iterable[str]) -> WheelSet:
    """Wheels of fastbackend and of every distribution the runtime's ``requirements`` need,
    as installed here, and requirements.txt pinning them; returns what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    found = WheelSet(version=distribution(OWN).version)
    found.wheels.append(_own_wheel(folder).name)
    installed, found.missing = closure(requirements)
    for dist in installed:
        if not _usable_in_linux_image(dist):
            found.missing.append(f"{dist.name}=={dist.version}")
            continue
        target = folder / _wheel_name(dist)
        if not target.is_file():  # an installed version's files do not change: kept
            repack(dist, target)
        found.wheels.append(target.name)
        found.pinned.append(f"{canonicalize_name(dist.name)}=={dist.version}")
    for old in set(folder.glob("*.whl")) - {folder / name for name in found.wheels}:
        old.unlink()  # other versions, from an earlier build
    (folder / REQUIREMENTS).write_text(_requirements_text(found), "utf-8")
    return found


def closure(requirements: Iterable[str]) -> tuple[list[Distribution], list[str]]:
    """The installed distributions ``requirements`` need, dependencies included (markers
    evaluated here, extras followed), and the requirements not installed."""
    pending = [Requirement(text) for text in requirements]
    seen: dict[str, Distribution] = {}
    extras_done: set[tuple[str, str]] = set()
    missing: list[str] = []
    while pending:
        requirement = pending.pop(0)
        name = canonicalize_name(requirement.name)
        try:
            dist = seen.get(name) or distribution(requirement.name)
        except PackageNotFoundError:
            missing.append(str(requirement))
            continue
        first = name not in seen
        seen[name] = dist
        extras = {extra for extra in requirement.extras if (name, extra) not in extras_done}
        extras_done.update((name, extra) for extra in extras)
        if first or extras:
            pending += _dependencies(dist, extras, base=first)
    return sorted(seen.values(), key=lambda d: canonicalize_name(d.name)), missing


def _dependencies(dist: Distribution, extras: set[str], base: bool) -> list[Requirement]:
    """The requirements of ``dist`` itself (``base``) and of its ``extras``, for this
    environment."""
    environment = {key: str(value) for key, value in default_environment().items()}
    wanted = ([""] if base else []) + sorted(extras)
    found = []
    for requirement in map(Requirement, dist.requires or []):
        marker = requirement.marker
        if marker is None:
            applies = base
        else:
            applies = any(marker.evaluate({**environment, "extra": extra}) for extra in wanted)
        if applies:
            found.append(requirement)
    return found


def _usable_in_linux_image(dist: Distribution) -> bool:
    """Pure-Python wheels go anywhere; a compiled one only into the platform it was built
    for, and the image runs Linux."""
    return _wheel_metadata(dist).get("Root-Is-Purelib") == "true" or sys.platform == "linux"


def _wheel_name(dist: Distribution) -> str:
    return f"{_escaped(dist.name)}-{dist.version}-{_tags(dist)}.whl"


def repack(dist: Distribution, target: Path) -> Path:
    """The wheel ``dist`` was installed from, rebuilt from its installed files at ``target``."""
    entries: dict[str, bytes] = {}
    root = Path(str(dist.locate_file("")))
    for path in dist.files or []:
        relative = path.as_posix()
        if relative.startswith("..") or "__pycache__" in path.parts:
            continue  # scripts (pip writes them again from entry_points.txt) and bytecode
        if ".dist-info/" in relative and path.name in INSTALLER_FILES:
            continue
        entries[relative] = (root / relative).read_bytes()
    info = next(name.split("/", 1)[0] for name in entries if ".dist-info/" in name)
    _write_wheel(target, entries, f"{info}/RECORD")
    return target


def _write_wheel(target: Path, entries: dict[str, bytes], record_name: str) -> None:
    """A zip of ``entries`` and the RECORD of their hashes, in place only once complete."""
    lines = []
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries.items()):
            archive.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            lines.append(f"{name},sha256={digest.decode()},{len(data)}")
        lines.append(f"{record_name},,")
        archive.writestr(record_name, "\n".join(lines) + "\n")
    partial.replace(target)


def _wheel_metadata(dist: Distribution) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in (dist.read_text("WHEEL") or "").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Tag":
            fields["Tag"] = (fields["Tag"] + " " if "Tag" in fields else "") + value.strip()
        elif key.strip():
            fields[key.strip()] = value.strip()
    return fields


def _tags(dist: Distribution) -> str:
    """The compressed tag set of the wheel's file name (py3-none-any when unrecorded)."""
    tags = [tag.split("-") for tag in _wheel_metadata(dist).get("Tag", "py3-none-any").split()]
    return "-".join(".".join(sorted({tag[i] for tag in tags})) for i in range(3))


def _escaped(name: str) -> str:
    return canonicalize_name(name).replace("-", "_")


def _own_wheel(folder: Path) -> Path:
    """fastbackend's wheel: repacked, or built by pip from the checkout an editable install
    points at (no network: the build backend must be installed, as it is for development)."""
    own = distribution(OWN)
    source = _editable_source(own)
    if source is None:
        return repack(own, folder / _wheel_name(own))
    for old in folder.glob(f"{_escaped(OWN)}-*.whl"):
        old.unlink()  # the checkout may have changed since
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--disable-pip-version-check", "--wheel-dir", str(folder),
                    str(source)], check=True, timeout=PIP_TIMEOUT_S, capture_output=True)
    return next(folder.glob(f"{_escaped(OWN)}-{own.version}-*.whl"))


def _editable_source(dist: Distribution) -> Path | None:
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    data = json.loads(text)
    if not data.get("dir_info", {}).get("editable"):
        return None
    url = str(data.get("url", ""))
    return Path(url.removeprefix("file://")) if url.startswith("file://") else None


def _requirements_text(found: WheelSet) -> str:
    lines = ["# Written by fastbackend: the runtime's distributions as installed where the build",
             "# ran, pinned; their wheels are beside this file.", *found.pinned]
    if found.missing:
        lines += ["# Not installed there (or compiled for another platform): from the index.",
                  *found.missing]
    return "\n".join(lines) + "\n"


def install_commands(found: WheelSet, wheels: str) -> list[str]:
    """The pip commands that install the runtime from ``wheels`` (a folder path): fastbackend
    without its compiler's dependencies (so pip is told not to warn that they are missing),
    then the pinned closure."""
    index = "--no-index " if found.offline else ""
    pip = f"pip install --no-cache-dir --no-warn-conflicts {index}--find-links {wheels}"
    return [f"{pip} --no-deps {OWN}=={found.version}", f"{pip} -r {wheels}/{REQUIREMENTS}"]
