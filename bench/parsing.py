"""Benchmark: how long reading a question takes, over the table of phrasings in tests/test_period_phrasings.py.

    .venv/bin/python bench/parsing.py [--rounds 20]

Prints the median and p99 time per question of find_period (the period alone) and parse_question (the whole
question), in microseconds, so a slower reader shows up. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.questions.periods import find_period  # noqa: E402
from bot.questions.reader import parse_question  # noqa: E402
from tests.test_period_phrasings import JANUARY, JANUARY_TABLE, NOVEMBER, NOVEMBER_TABLE  # noqa: E402

NAMES = dict(
    kinds=["工作约谈", "提醒约谈", "告诫约谈", "廉政谈话", "诫勉谈话"],
    rank_levels=["地厅级", "县处级", "乡科级", "其他"],
    units=["兰州市", "兰州市/城关区", "兰州市/城关区/建设局", "兰州市/榆中县"],
    people=["张建平", "李华", "赵敏"],
)


def timings(read: Callable[[str, date], object], rounds: int) -> list[float]:
    """Per question, the best of `rounds` runs (the least disturbed by the other processes on the machine)."""
    questions = [(typed, NOVEMBER) for typed, _ in NOVEMBER_TABLE] + [(typed, JANUARY) for typed, _ in JANUARY_TABLE]
    best = []
    for typed, today in questions:
        runs = []
        for _ in range(rounds):
            started = time.perf_counter()
            read(typed, today)
            runs.append(time.perf_counter() - started)
        best.append(min(runs) * 1e6)
    return best


def report(name: str, micros: list[float]) -> None:
    ordered = sorted(micros)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]
    print(f"{name:15} {len(ordered)} questions  median {statistics.median(ordered):7.1f} µs  p99 {p99:7.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    report("find_period", timings(find_period, arguments.rounds))
    report("parse_question", timings(lambda typed, today: parse_question(typed, today, **NAMES), arguments.rounds))


if __name__ == "__main__":
    main()
