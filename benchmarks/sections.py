"""Sections of RESULTS.md that commands other than `make bench` write (`make soak`).

Each lives between ``<!-- begin NAME -->`` and ``<!-- end NAME -->``; the writer replaces its own
section in place (or appends it), and `make bench` keeps every section when it rewrites the file.
"""

from __future__ import annotations

import re
from pathlib import Path

_SECTION = re.compile(r"<!-- begin (?P<name>[\w-]+) -->\n.*?<!-- end (?P=name) -->\n", re.DOTALL)


def read_all(path: Path) -> list[str]:
    """Every section of the file, markers included, in file order."""
    if not path.exists():
        return []
    return [match.group(0) for match in _SECTION.finditer(path.read_text())]


def replace(path: Path, name: str, lines: list[str]) -> None:
    """Write ``lines`` as section ``name`` of the file: in place of the old one, else at the end."""
    block = "\n".join([f"<!-- begin {name} -->", *lines, f"<!-- end {name} -->"]) + "\n"
    text = path.read_text() if path.exists() else ""
    old = next((m for m in _SECTION.finditer(text) if m.group("name") == name), None)
    if old is not None:
        text = text[: old.start()] + block + text[old.end() :]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block
    path.write_text(text)
