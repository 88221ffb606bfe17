"""Reading Rasa's NLU training and test files (the tests' own helper)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(where: Path) -> Iterable[tuple[str, str]]:
    """(intent, text) from a Rasa NLU file or folder of them, entity annotations stripped."""
    for path in sorted(where.glob("*.yml")) if where.is_dir() else [where]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield block["intent"], ANNOTATION.sub(r"\1", line[2:]).strip()
