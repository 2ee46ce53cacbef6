"""bench/updates.py does not rot: its quick mode replays every class of update to the bot and the echo bot, and
nothing goes unanswered, off script or into the bot's error log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.updates import CLASSES

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_run_replays_every_class_without_errors() -> None:
    run = subprocess.run(
        [sys.executable, "bench/updates.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    steady = lines.index("  talkledger:") + 1  # the first rate's figures, then one line per class
    assert lines[steady].strip().startswith("25/s: CPU")
    replayed = {line.split(":")[0].strip(): line for line in lines[steady + 1 : steady + 1 + len(CLASSES)]}
    assert sorted(replayed) == sorted(CLASSES), run.stdout
    assert all(" 0 updates" not in line and "lost" not in line for line in replayed.values()), run.stdout
    for figure in ("echo:", "max: CPU", "throughput", "per update: ×", "p95 at 25/s"):
        assert figure in run.stdout, figure
    assert "SQLite: 0 errors" in run.stdout, run.stdout
