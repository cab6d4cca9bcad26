"""Vendor the course's raw datasets into ``course_lib/data`` (standard library only).

Usage (from the repository root)::

    python scripts/vendor_datasets.py [SHARED_DATASETS_DIR]

``SHARED_DATASETS_DIR`` defaults to ``../shared/datasets`` relative to the
repository root. It must hold ``SHA256SUMS`` (lines ``<sha256>  <folder>/<file>``),
the raw files it lists and ``README.md`` (whose provenance table is copied).

The script

1. checks every file listed in ``SHA256SUMS`` against its checksum and stops,
   writing nothing, if any file is missing or differs;
2. writes each file gzip-compressed to ``course_lib/data/<folder>/<file>.gz``,
   deterministically (compression level 9, mtime 0, no file name in the gzip
   header), and checks that the written file decompresses to the raw bytes;
3. writes ``course_lib/data/SHA256SUMS`` (the checksums of the raw,
   uncompressed contents, the same lines as the shared file) and
   ``course_lib/data/README.md`` (provenance, licences, storage and restore notes).

Running it twice on the same input produces byte-identical output with the
same zlib; ``course_lib.datasets`` verifies the *decompressed* bytes, so a
different zlib (which may compress differently) does not break loading.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT / ".." / "shared" / "datasets"
DATA_DIR = REPO_ROOT / "course_lib" / "data"

_SUM_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)$")


class VendorError(Exception):
    """Raised when the shared datasets cannot be vendored."""


def parse_sums(text: str) -> list[tuple[str, str]]:
    """Parse ``SHA256SUMS`` text into ``(sha256, relative_path)`` pairs."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUM_LINE.match(line)
        if match is None:
            raise VendorError(
                f"SHA256SUMS line {number} must look like '<64 hex>  <folder>/<file>'"
                f"; got {line!r}"
            )
        entries.append((match.group(1), match.group(2)))
    if not entries:
        raise VendorError("SHA256SUMS must list at least one file; got none")
    return entries


def compress(raw: bytes) -> bytes:
    """Gzip ``raw`` deterministically: level 9, mtime 0, no file name."""
    return gzip.compress(raw, compresslevel=9, mtime=0)


def provenance_table(readme_text: str) -> str:
    """Return the first Markdown table (consecutive ``|`` lines) of a README."""
    lines = readme_text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        raise VendorError(
            "the shared README.md must contain a Markdown table; got none"
        )
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[start:end])


README_TEMPLATE = """\
# Vendored datasets

This folder is written by `scripts/vendor_datasets.py`; do not edit it by hand.
It holds the raw files of the four datasets the course uses, so that nothing is
downloaded at run time. Load them with `course_lib.datasets`
(`load_adult`, `load_compas`, `load_german`, `load_fico`).

## Provenance and licences

Copied from the README of the shared datasets folder:

{table}

Notes on the raw files (checked when the loaders were written):

- `fico/transrisk_performance_by_race_ssa.csv` holds, per score and group, the
  percentage of people whose credit performance was *bad* (who defaulted), not
  the percentage who did not default: it falls from about 95-100% at score 0 to
  about 1% at score 100. `load_fico` reports `non_default_rate = 1 - value / 100`,
  as Hardt, Price and Srebro's code does.
- The shared README gives no licence for the COMPAS file beyond its source,
  ProPublica's public `compas-analysis` repository.

## How the files are stored

Every raw file `<folder>/<file>` is stored as `<folder>/<file>.gz`: gzip,
compression level 9, modification time 0 and no file name in the header, so
re-running the script with the same Python and zlib gives byte-identical files
(another zlib may compress differently, which is harmless: checks are made on
the decompressed bytes). The contents are the raw
files byte for byte (no re-encoding, line endings kept).

`SHA256SUMS` holds the SHA-256 of the raw, *uncompressed* contents (the same
lines as the shared `SHA256SUMS`). Every loader in `course_lib.datasets`
decompresses the file it reads and checks these bytes against `SHA256SUMS`
before parsing; a missing file raises `FileNotFoundError` and a damaged one
(bad gzip or wrong checksum) raises `course_lib.datasets.DatasetIntegrityError`.

To check the folder by hand:

```bash
cd course_lib/data
for f in */*.gz; do
  printf '%s  %s\\n' "$(gzip -dc "$f" | sha256sum | cut -d' ' -f1)" "${{f%.gz}}"
done | diff - SHA256SUMS && echo OK
```

## How to restore a missing or damaged file

- In a git clone: `git checkout -- course_lib/data/<folder>/<file>.gz`
  (or `git checkout -- course_lib/data` for everything).
- From the raw files: `python scripts/vendor_datasets.py ../shared/datasets`,
  run from the repository root (the argument is the folder holding the shared
  `SHA256SUMS`; it defaults to `../shared/datasets` next to the repository).
- In an installed package: reinstall `course_lib`.
"""


def vendor(shared: Path, data_dir: Path = DATA_DIR) -> list[tuple[str, int, int]]:
    """Verify and compress every file; return ``(path, raw_size, gz_size)`` rows."""
    sums_path = shared / "SHA256SUMS"
    readme_path = shared / "README.md"
    for path in (sums_path, readme_path):
        if not path.is_file():
            raise VendorError(
                f"{path} must exist; got no such file "
                "(pass the shared datasets folder as the first argument)"
            )
    sums_text = sums_path.read_text(encoding="utf-8")
    entries = parse_sums(sums_text)

    # Verify everything before writing anything.
    raw_files: dict[str, bytes] = {}
    problems = []
    for expected, rel in entries:
        path = shared / rel
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        raw = path.read_bytes()
        actual = hashlib.sha256(raw).hexdigest()
        if actual != expected:
            problems.append(f"{path}: sha256 must be {expected}; got {actual}")
            continue
        raw_files[rel] = raw
    if problems:
        raise VendorError("checksum verification failed:\n  " + "\n  ".join(problems))

    table = provenance_table(readme_path.read_text(encoding="utf-8"))

    report = []
    for expected, rel in entries:
        raw = raw_files[rel]
        packed = compress(raw)
        if hashlib.sha256(gzip.decompress(packed)).hexdigest() != expected:
            raise VendorError(f"{rel}: compressed copy does not round-trip")
        target = data_dir / (rel + ".gz")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(packed)
        report.append((rel, len(raw), len(packed)))

    sums_out = "".join(f"{expected}  {rel}\n" for expected, rel in entries)
    (data_dir / "SHA256SUMS").write_text(sums_out, encoding="utf-8", newline="\n")
    (data_dir / "README.md").write_text(
        README_TEMPLATE.format(table=table), encoding="utf-8", newline="\n"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify the shared raw datasets and vendor them, gzip-compressed, "
        "into course_lib/data."
    )
    parser.add_argument(
        "shared",
        nargs="?",
        type=Path,
        default=DEFAULT_SHARED,
        help="folder holding SHA256SUMS, README.md and the raw files "
        "(default: ../shared/datasets relative to the repository root)",
    )
    args = parser.parse_args(argv)
    try:
        report = vendor(args.shared)
    except VendorError as error:
        print(f"vendor_datasets: {error}", file=sys.stderr)
        return 1
    total_raw = sum(raw for _, raw, _ in report)
    total_gz = sum(gz for _, _, gz in report)
    for rel, raw, gz in report:
        print(f"{rel + '.gz':50s} {raw:>10,d} -> {gz:>9,d} bytes")
    print(f"{'total':50s} {total_raw:>10,d} -> {total_gz:>9,d} bytes")
    print(f"wrote {len(report)} files, SHA256SUMS and README.md to {DATA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
