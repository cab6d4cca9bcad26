"""Length-prefixed frames on a pipe: how the grader and the sandbox talk.

Nothing crosses the sandbox wall as a file. The grader writes the notebook's
cells, and later each test's calls, to the sandbox's standard input; the
program inside answers on an inherited pipe. A frame is a 4-byte big-endian
length followed by that many bytes. The reader is the grader's side of a
wall that student code can write to, so :class:`FrameReader` never blocks,
never buffers more than one frame of at most ``max_frame`` bytes, and turns
anything malformed into :class:`ChannelError`.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Sequence
from typing import Any

__all__ = ["ChannelError", "FrameReader", "pack_record", "unpack_record", "write_frame"]

_HEADER = struct.Struct(">I")


class ChannelError(ValueError):
    """The other side sent something that is not a well-formed frame."""


def write_frame(fd: int, payload: bytes) -> None:
    """Write one frame to ``fd`` (blocking), however many writes it takes."""
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Split the bytes read from a non-blocking pipe into frames.

    Parameters
    ----------
    max_frame : int
        Largest frame accepted; a longer length is a :class:`ChannelError`
        before any of its bytes are buffered.
    """

    def __init__(self, max_frame: int):
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._need: int | None = None

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the frames it completes, in order."""
        self._buffer += data
        frames = []
        while True:
            if self._need is None:
                if len(self._buffer) < _HEADER.size:
                    break
                (self._need,) = _HEADER.unpack_from(self._buffer)
                del self._buffer[: _HEADER.size]
                if self._need > self.max_frame:
                    raise ChannelError(
                        f"a frame must be at most {self.max_frame:,} bytes; "
                        f"got one of {self._need:,}"
                    )
            if len(self._buffer) < self._need:
                break
            frames.append(bytes(self._buffer[: self._need]))
            del self._buffer[: self._need]
            self._need = None
        return frames

    @property
    def pending(self) -> int:
        """Bytes received of a frame that is not complete yet."""
        return len(self._buffer)


def pack_record(record: dict[str, Any], buffers: Sequence[bytes] = ()) -> bytes:
    """``record`` as JSON, then ``buffers``: the body of one test's result frame.

    The body is the JSON's length (4 bytes, big-endian), the JSON (``record``
    with ``"buffers"``: the length of each buffer) and the buffers, one after
    the other; :func:`unpack_record` reverses it.
    """
    header = json.dumps(
        {**record, "buffers": [len(b) for b in buffers]},
        allow_nan=False,
        separators=(",", ":"),
    ).encode()
    return b"".join([_HEADER.pack(len(header)), header, *buffers])


def unpack_record(body: bytes, max_values: int) -> tuple[Any, list[memoryview]]:
    """The record and the buffers of a body made by :func:`pack_record` (untrusted).

    Raises
    ------
    ChannelError
        If the body is not laid out so, or its JSON holds more than
        ``max_values`` values (counted by their separators before parsing).
    """
    if len(body) < _HEADER.size:
        raise ChannelError("a result must start with the length of its JSON")
    (size,) = _HEADER.unpack_from(body)
    end = _HEADER.size + size
    if end > len(body):
        raise ChannelError("a result's JSON runs past its end")
    header = body[_HEADER.size : end]
    # At most one JSON value per separator: a bound on what parsing builds.
    if header.count(b",") + header.count(b"[") + header.count(b"{") > max_values:
        raise ChannelError("a result holds too many values to be read")
    try:
        record = json.loads(header)
    except (ValueError, RecursionError) as error:
        raise ChannelError(
            f"a result's JSON is unreadable ({type(error).__name__})"
        ) from None
    lengths = record.get("buffers") if isinstance(record, dict) else None
    if (
        not isinstance(lengths, list)
        or not all(type(n) is int and n >= 0 for n in lengths)
        or end + sum(lengths) != len(body)
    ):
        raise ChannelError("a result's buffers must fill the rest of it exactly")
    view = memoryview(body)
    buffers = []
    for n in lengths:
        buffers.append(view[end : end + n])
        end += n
    del record["buffers"]
    return record, buffers
