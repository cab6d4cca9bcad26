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

import os
import struct

__all__ = ["ChannelError", "FrameReader", "write_frame"]

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
