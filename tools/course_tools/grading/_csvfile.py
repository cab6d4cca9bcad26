"""Reading an instructor's CSV file from the LMS: bounded, never a pipe, UTF-8 only."""

from __future__ import annotations

import os
import stat

from course_tools.grading._text import printable

__all__ = ["read_csv_text"]


def read_csv_text(
    path: str | os.PathLike[str], *, what: str, limit: int, again: str
) -> str:
    """The text of a CSV file the LMS exported, or a one-line ValueError.

    Parameters
    ----------
    path : str or path-like
        The file (a link to one is followed: it is the instructor's).
    what : str
        What the file is, to start each message (``"roster"``).
    limit : int
        The most bytes read.
    again : str
        What to do when the file is too large (e.g. "export only the class
        list").

    Returns
    -------
    str
        The decoded text, without a byte-order mark.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If it is not a regular file (a pipe is never waited on), is larger
        than ``limit``, or is not UTF-8.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b"\\xef\\xbb\\xbfa,b\\n")
    >>> read_csv_text(path, what="roster", limit=100, again="export it again")
    'a,b\\n'
    """
    name = printable(os.fspath(path), 200)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ValueError(
            f"{what} must be a CSV file; got {name}, which is not a regular "
            "file: save the LMS's export and pass the saved file"
        )
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            raise ValueError(
                f"{what} must be at most {limit:,} bytes; got {name} of "
                f"{info.st_size:,} bytes: {again}"
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(
            f"{what} must be at most {limit:,} bytes; got {name}, which is larger: "
            f"{again}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError(
            f"{what} must be UTF-8 CSV; got {name} in UTF-16 (Excel's Unicode "
            "text): save it again as CSV UTF-8"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{what} must be UTF-8 CSV; got {name} with byte "
            f"0x{data[error.start]:02x} at offset {error.start:,}, which is not "
            "UTF-8 (Excel's plain CSV or Latin-1?): save it again as CSV UTF-8"
        ) from None
    return text.lstrip("\ufeff")
