"""Files a student may have made hostile, read safely; files written whole.

A submission's folder is the student's: its notebook may be a link, a pipe,
a huge file or invalid JSON. :func:`read_regular` reads a regular file only,
bounded; :func:`read_notebook` and :func:`parse_notebook` turn its bytes into
a valid nbformat 4 notebook or a one-line error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import warnings
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from course_tools.grading._text import first_line, scrub_notebook

#: Largest submitted notebook read (bytes); collect refuses larger ones too.
MAX_NOTEBOOK_BYTES = 50 * 2**20
#: Most cells a submitted notebook may have (a homework has a few dozen).
MAX_CELLS = 5000


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file, never following a link nor opening a pipe.

    Raises
    ------
    OSError
        If ``path`` is a symbolic link (``ELOOP``), not a regular file, or
        larger than ``limit`` bytes.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{os.fspath(path)} is not a regular file")
        if info.st_size > limit:
            raise OSError(
                f"{os.fspath(path)} is {info.st_size:,} bytes, over the limit of {limit:,}"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(f"{os.fspath(path)} is over the limit of {limit:,} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_notebook(path: str | os.PathLike[str]) -> NotebookNode:
    """A submitted notebook, read as hostile bytes.

    At most ``MAX_NOTEBOOK_BYTES``, never through a link; lone surrogates
    are replaced; the result is a valid nbformat 4 notebook or an error.

    Raises
    ------
    ValueError
        If the notebook cannot be read or is not valid; the message says why.
    """
    try:
        data = read_regular(path, MAX_NOTEBOOK_BYTES)
    except OSError as error:
        raise ValueError(f"cannot be read ({first_line(error, 200)})") from None
    return parse_notebook(data)


def parse_notebook(data: bytes) -> NotebookNode:
    """The notebook in ``data`` (a submission's bytes), as :func:`read_notebook` reads it.

    Raises
    ------
    ValueError
        If ``data`` is not a valid notebook; the message says why.
    """
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"is not valid JSON ({first_line(error, 120)})") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise ValueError("is not an nbformat 4 notebook")
    cells = raw.get("cells")
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        raise ValueError(
            f"has {len(cells):,} cells, more than the {MAX_CELLS:,} allowed"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing cell ids are repaired
            # Through nbformat's reader, as nbgrader reads it (multi-line
            # sources joined, and so on), once the surrogates are gone.
            nb = nbformat.reads(json.dumps(scrub_notebook(raw)), as_version=4)
            nbformat.validate(nb)
    except (Exception, RecursionError) as error:
        raise ValueError(
            f"is not a valid notebook ({type(error).__name__}: {first_line(error, 160)})"
        ) from None
    return nb


# --------------------------------------------------------------------------
# The course directory
# --------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
