"""The core (bot/) is messenger-free, and files stay readable in one sitting."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSENGER_CODE = ("telegram", "handlers", "wechatpy")
LONG_FILE = 400


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_core_module_imports_a_messenger() -> None:
    offending = {
        str(path.relative_to(ROOT)): sorted(n for n in _imported(path) if n.split(".")[0] in MESSENGER_CODE)
        for path in _modules("bot")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_importing_the_whole_core_loads_no_messenger() -> None:
    """Indirect imports too: a core module that pulled in a module which imports telegram would pass the test above."""
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in _modules("bot")
    ]
    probe = (
        f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(MESSENGER_CODE)!r}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_a_long_file_says_why_in_its_opening_comment() -> None:
    unexplained = []
    for package in ("bot", "handlers", "storage"):
        for path in _modules(package):
            source = path.read_text()
            docstring = ast.get_docstring(ast.parse(source)) or ""
            if source.count("\n") > LONG_FILE and "Long because" not in docstring:
                unexplained.append(f"{path.relative_to(ROOT)} ({source.count(chr(10))} lines)")
    assert unexplained == []
