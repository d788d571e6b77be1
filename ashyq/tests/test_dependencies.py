"""The dependency tree is pinned (README, "Dependencies"): every distribution that
requirements.txt and requirements-dev.txt pull in, directly or through another, has
its version in constraints.txt, which `./run`, `./run test` and the image install with.
An upgrade of redis, kombu or asgiref is then a change to that file, never a surprise
of the next install."""

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _requirements(path: Path) -> list[Requirement]:
    """The requirements of a pip file, following its `-r` includes."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += _requirements(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _tree(roots: list[Requirement]) -> dict[str, str]:
    """name → installed version of the roots and everything they require, with the
    extras asked for and the markers of this interpreter."""
    seen: dict[str, str] = {}
    todo = [(requirement, set(requirement.extras)) for requirement in roots]
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        distribution = metadata.distribution(name)
        if name in seen and not extras:
            continue
        seen[name] = distribution.version
        for line in distribution.requires or []:
            needed = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if needed.marker is None or any(needed.marker.evaluate(env) for env in environments):
                todo.append((needed, set(needed.extras)))
    return seen


def test_every_installed_dependency_direct_or_indirect_is_pinned_in_constraints():
    pins = _pins(ROOT / "constraints.txt")
    tree = _tree(_requirements(ROOT / "requirements-dev.txt"))
    assert {"kombu", "redis", "asgiref", "amqp", "vine"} <= tree.keys()  # the indirect ones that bit us
    unpinned = sorted(name for name in tree if name not in pins)
    assert not unpinned, f"not in constraints.txt (regenerate it, README 'Dependencies'): {unpinned}"
    drifted = {name: (version, pins[name]) for name, version in tree.items() if pins[name] != version}
    assert not drifted, f"installed version differs from constraints.txt (installed, pinned): {drifted}"


def test_the_direct_requirements_and_the_constraints_agree():
    pins = _pins(ROOT / "constraints.txt")
    for requirement in _requirements(ROOT / "requirements-dev.txt"):
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{requirement} is not pinned"
        assert pins[canonicalize_name(requirement.name)] == specifier.version, requirement.name


def test_the_run_command_and_the_image_install_with_the_constraints():
    assert "-c constraints.txt" in (ROOT / "run").read_text()
    assert "constraints.txt" in (ROOT / "deploy" / "build").read_text()
    assert "deploy/build" in (ROOT / "Dockerfile").read_text()
