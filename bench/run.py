"""Run every benchmark and write ``bench/RESULTS.md`` (``make bench``).

Each ``bench/bench_*.py`` module exposes ``run(repeats) -> list[dict]``; a row
holds ``benchmark``, ``dataset``, ``rows``, ``ours_s``, ``peer``, ``peer_s``,
``speedup`` (peer time / our time) and ``max_abs_diff`` (between the values
the two return). Ours and the peer are measured in the same process, one
after the other, so the ratio does not depend on the machine's speed.
Later issues add modules; the runner needs no change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def _modules() -> list[str]:
    return sorted(f"bench.{p.stem}" for p in HERE.glob("bench_*.py"))


def _seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _format(rows: list[dict]) -> str:
    lines = [
        "| benchmark | dataset | rows | ours | peer | peer time | speed-up "
        "| max abs diff |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['benchmark']} | {r['dataset']} | {r['rows']:,} "
            f"| {_seconds(r['ours_s'])} | {r['peer']} | {_seconds(r['peer_s'])} "
            f"| {r['speedup']:.{0 if r['speedup'] >= 10 else 1}f}x | {r['max_abs_diff']:.1e} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per row")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sections = []
    for name in _modules():
        print(f"running {name} ...", flush=True)
        rows = importlib.import_module(name).run(repeats=args.repeats)
        doc = (sys.modules[name].__doc__ or "").strip().splitlines()[0]
        notes = "".join(f"\n- {r['note']}" for r in rows if r.get("note"))
        sections.append(
            f"## {name.removeprefix('bench.bench_')}\n\n{doc}\n\n{_format(rows)}\n{notes}"
        )
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench`; do not edit by hand. Library times are medians "
        f"of {args.repeats} calls after a warm-up, ours and the peer's in the same "
        "process, one after the other; grading times are one run of each grader "
        "on the same class.\n\n"
        f"- date: {dt.date.today().isoformat()}\n"
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}\n"
    )
    args.output.write_text(header + "\n" + "\n\n".join(sections) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
