"""The repository's documents stand alone: a fresh clone has every file they point to (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_and_path_named_is_in_the_repository(document: Path) -> None:
    body = document.read_text(encoding="utf-8")
    assert "../shared" not in body
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", body):  # markdown links, web addresses left out
        assert (document.parent / target).resolve().is_relative_to(ROOT), target
        assert (document.parent / target).exists(), target


def test_the_readme_points_at_the_domain_and_design_pages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/domain.md" in readme and "docs/design.md" in readme
