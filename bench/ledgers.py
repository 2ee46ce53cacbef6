"""Benchmark: laying out the ledgers of 50,000 talks (bot.ledgers.export.workbook_bytes).

    .venv/bin/python bench/ledgers.py [--talks 50000]

Prints the time, the peak memory of the process and the file size; asserts nothing. The data is made up in
memory (two people talked to in every third talk, a problem in every fourth), so the figure is the layout's own,
not the database read's.

Measured on the shared 2-core development machine, 50,000 talks (66,667 detail rows, 12,500 items), 2026-11:
openpyxl (named styles) 70.2 s and 646 MiB peak (404 s was reported earlier);
XlsxWriter in constant-memory mode 13.9 s and 97 MiB — hence XlsxWriter; 16.2 s and 118 MiB
once wrapped rows got their heights (every made-up row has a long 内容). The peak includes the made-up data.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ledgers.export import LedgerData, workbook_bytes  # noqa: E402


def made_up(talks: int) -> LedgerData:
    data = LedgerData(
        language="zh-CN",
        title_scope="兰州市",
        scope="兰州市",
        start=date(2025, 1, 1),
        last=date(2025, 12, 31),
        exported=datetime(2026, 1, 5, 9, 0),
        kinds=["工作约谈", "提醒约谈", "告诫约谈"],
    )
    for number in range(talks):
        day = date(2025, 1 + number % 12, 1 + number % 28)
        for person in range(2 if number % 3 == 0 else 1):
            data.detail.append(
                [
                    f"2025-{number:06d}",
                    day,
                    clock_time(9 + number % 8, 30),
                    data.kinds[number % 3],
                    "个人",
                    "面谈",
                    f"干部{number % 997}-{person}",
                    "兰州市/城关区/建设局",
                    "乡科级",
                    1,
                    "市纪委会议室",
                    "落实全面从严治党主体责任情况",
                    "就工程项目管理、资金使用和作风建设中存在的问题进行约谈，提出整改要求。" * 3,
                    "张建平",
                    "李华",
                    1 if number % 4 == 0 else 0,
                    "李华",
                ]
            )
        if number % 4 == 0:
            data.items.append(
                [f"2025-{number:06d}", "干部", "工程项目台账不全", "一个月内补齐", day, "李华", "整改中", None, 0]
            )
    data.months = [(date(2025, month, 1), [talks // 36] * 3) for month in range(1, 13)]
    data.talks = talks
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talks", type=int, default=50_000)
    arguments = parser.parse_args()
    data = made_up(arguments.talks)
    started = time.perf_counter()
    content = workbook_bytes(data)
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"talks: {arguments.talks:,}  detail rows: {len(data.detail):,}  rectification rows: {len(data.items):,}")
    print(f"layout: {took:.1f} s  peak memory (whole process): {peak:.0f} MiB  file: {len(content) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
