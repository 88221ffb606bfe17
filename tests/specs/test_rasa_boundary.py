"""The boundary between Rasa's process (Python 3.10, Rasa's pins: SQLAlchemy 1.4, no
torch) and the shared library: rasa_addons/ may reach only the peerpath modules named
here, directly or through each other. A slow test (tests/test_rasa_addons.py) imports
each of them in Rasa's own venv."""

from __future__ import annotations

import ast
from pathlib import Path

from peerpath.settings import PROJECT_ROOT

# What Rasa's process may import from peerpath/ (light: the standard library, PyYAML,
# numpy). Adding one means it must run on Python 3.10 with Rasa's pins.
RASA_MAY_IMPORT = frozenset({
    "peerpath", "peerpath.asking", "peerpath.catalogue", "peerpath.continuing",
    "peerpath.corrections", "peerpath.flows", "peerpath.logs", "peerpath.minilm",
    "peerpath.protocol", "peerpath.types", "peerpath.vectors", "peerpath.wordpiece",
})  # fmt: skip


def _module_file(name: str) -> Path | None:
    base = PROJECT_ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _peerpath_imports(path: Path) -> set[str]:
    """The peerpath modules `path` imports, at any depth of its code (a name imported
    from a package counts as that package's module when it is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        found |= {n for n in names if n.split(".")[0] == "peerpath" and _module_file(n)}
    return found


def reached_from_rasa() -> set[str]:
    frontier = list((PROJECT_ROOT / "rasa_addons").glob("*.py"))
    reached: set[str] = set()
    while frontier:
        for name in _peerpath_imports(frontier.pop()) - reached:
            reached.add(name)
            frontier.append(_module_file(name))  # type: ignore[arg-type]
            parent = name.rpartition(".")[0]
            if parent and parent not in reached:  # importing a module runs its package
                reached.add(parent)
                frontier.append(_module_file(parent))  # type: ignore[arg-type]
    return reached


def test_rasa_reaches_only_the_modules_named_for_it() -> None:
    reached = reached_from_rasa()
    assert reached, "rasa_addons/ imports the shared library"
    assert reached <= RASA_MAY_IMPORT, sorted(reached - RASA_MAY_IMPORT)


def test_the_named_modules_exist() -> None:
    assert all(_module_file(name) for name in RASA_MAY_IMPORT)
