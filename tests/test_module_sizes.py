"""Rooms that fit in a head: a module over ~400 lines says at its top why it is that long."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mockswarms"
LIMIT = 420  # "about 400": a little slack before a module must explain itself


def test_every_long_module_says_why_at_its_top() -> None:
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines <= LIMIT:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "Why ~" not in docstring:
            unexplained.append(f"{path.relative_to(PACKAGE.parent)} ({lines} lines)")
    assert unexplained == [], "split these, or say 'Why ~N lines: …' in the module docstring"
