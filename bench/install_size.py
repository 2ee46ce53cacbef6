"""Benchmark: the runtime install size — talkledger and its runtime dependencies (no test extra) installed with
pip into an empty directory, then measured as files on disk.

    .venv/bin/python bench/install_size.py [--compiled]

Prints the total and the ten largest packages; asserts nothing. `--compiled` also byte-compiles them, as Python
does on first import in a virtualenv. Needs the package index (or its cache), as `pip install` does. Goal: under
150 MB (issue 16).
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def size(path: Path) -> int:
    """Bytes in the files under `path` (as `du --apparent-size` counts, without the block rounding)."""
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file() and not file.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compiled", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "site-packages"
        # A copy of the source tree: building in place would leave build/ and *.egg-info behind.
        source = Path(work) / "source"
        subprocess.run(f"git -C {ROOT} archive HEAD | tar -x -C {work} --one-top-level=source", shell=True, check=True)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
        subprocess.run([*pip, "--target", str(target), str(source)], check=True)
        if arguments.compiled:
            compileall.compile_dir(str(target), quiet=2)
        packages = sorted(((size(path), path.name) for path in target.iterdir()), reverse=True)
        total = sum(bytes_ for bytes_, _ in packages)
        label = "compiled" if arguments.compiled else "not compiled"
        print(f"runtime install: {total / 1e6:.0f} MB ({label}) in {len(packages)} entries")
        for bytes_, name in packages[:10]:
            print(f"  {bytes_ / 1e6:6.1f} MB  {name}")


if __name__ == "__main__":
    main()
