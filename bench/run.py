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


def _ratio(speedup: float) -> str:
    digits = 0 if speedup >= 10 else 1 if speedup >= 1 else 2
    return f"{speedup:.{digits}f}x"


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
            f"| {_ratio(r['speedup'])} | {r['max_abs_diff']:.1e} |"
        )
    return "\n".join(lines)


README = HERE.parent / "README.md"
_START = "<!-- bench-summary:start -->"
_END = "<!-- bench-summary:end -->"


def _summary(sections: dict[str, str]) -> str:
    """One line per topic: how many rows, and the smallest and largest speed-up."""
    lines = [
        "| topic | rows | peer | smallest speed-up | largest speed-up |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for topic in sorted(sections):
        rows = []
        for line in sections[topic].splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 8 and cells[6].endswith("x") and cells[0] != "---":
                rows.append((float(cells[6][:-1]), cells[0], cells[4]))
        # Rows against numpy's raw sampler measure a floor, not a peer.
        peers = [r for r in rows if "(raw)" not in r[2]]
        if not peers:
            continue
        low, high = min(peers), max(peers)
        names = ", ".join(sorted({r[2] for r in peers}))
        lines.append(
            f"| {topic} | {len(peers)} | {names} | {_ratio(low[0])} ({low[1]}) "
            f"| {_ratio(high[0])} ({high[1]}) |"
        )
    return "\n".join(lines)


def _update_readme(sections: dict[str, str]) -> None:
    text = README.read_text()
    if _START not in text or _END not in text:
        raise RuntimeError(f"README.md must hold {_START} and {_END}; got neither")
    before, rest = text.split(_START, 1)
    after = rest.split(_END, 1)[1]
    README.write_text(f"{before}{_START}\n{_summary(sections)}\n{_END}{after}")


def _previous(path: Path) -> dict[str, str]:
    """The sections of an earlier results file, by topic."""
    if not path.is_file():
        return {}
    sections: dict[str, str] = {}
    for chunk in path.read_text().split("\n## ")[1:]:
        topic = chunk.split("\n", 1)[0].strip()
        sections[topic] = "## " + chunk
    return sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per row")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="TOPIC",
        help="run only these modules (e.g. privacy fairness) and replace their "
        "sections of the output file, keeping the others as they were",
    )
    args = parser.parse_args(argv)
    modules = _modules()
    if args.only:
        wanted = {f"bench.bench_{topic}" for topic in args.only}
        unknown = wanted - set(modules)
        if unknown:
            parser.error(
                f"--only must name modules of bench/; got {sorted(unknown)}, "
                f"known: {[m.removeprefix('bench.bench_') for m in modules]}"
            )
        modules = [m for m in modules if m in wanted]
    sections = _previous(args.output) if args.only else {}
    for name in modules:
        print(f"running {name} ...", flush=True)
        rows = importlib.import_module(name).run(repeats=args.repeats)
        doc = (sys.modules[name].__doc__ or "").strip().splitlines()[0]
        notes = "".join(f"\n- {r['note']}" for r in rows if r.get("note"))
        topic = name.removeprefix("bench.bench_")
        sections[topic] = (
            f"## {topic}\n\n{doc}\n\nMeasured {dt.date.today().isoformat()}.\n\n"
            f"{_format(rows)}\n{notes}"
        )
    header = (
        "# Benchmarks\n\n"
        "Written by `make bench` (or `python -m bench.run --only TOPIC ...`, which "
        "reruns some sections and keeps the others); do not edit by hand. "
        "Library times are medians "
        f"of {args.repeats} calls after a warm-up, ours and the peer's in the same "
        "process, one after the other; grading times are one run of each grader "
        "on the same class.\n\n"
        f"- date: {dt.date.today().isoformat()}\n"
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}\n"
    )
    body = "\n\n".join(
        sections[topic].rstrip("\n") + "\n" for topic in sorted(sections)
    )
    args.output.write_text(header + "\n" + body)
    print(f"wrote {args.output}")
    if args.output == RESULTS:
        _update_readme(sections)
        print(f"updated the summary in {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
