import os
import struct

import pytest

from course_tools.grading._channel import (
    ChannelError,
    FrameReader,
    pack_record,
    unpack_record,
    write_frame,
)


def test_frames_split_across_reads_come_out_whole():
    reader = FrameReader(max_frame=100)
    stream = b"".join(len(p).to_bytes(4, "big") + p for p in (b"abc", b"", b"x" * 50))
    frames = []
    for i in range(len(stream)):
        frames += reader.feed(stream[i : i + 1])
    assert frames == [b"abc", b"", b"x" * 50]
    assert reader.pending == 0


def test_a_frame_over_the_limit_is_refused_before_it_is_buffered():
    reader = FrameReader(max_frame=10)
    with pytest.raises(ChannelError, match="at most 10 bytes"):
        reader.feed((2**31).to_bytes(4, "big") + b"x")
    assert reader.pending <= 1


def test_write_frame_on_a_pipe():
    r, w = os.pipe()
    try:
        write_frame(w, b"hello")
        assert FrameReader(100).feed(os.read(r, 100)) == [b"hello"]
    finally:
        os.close(r)
        os.close(w)


def test_a_record_and_its_buffers_round_trip():
    body = pack_record({"k": 1, "outcomes": [{"value": 2}]}, [b"abc", b"", b"\x00" * 5])
    record, buffers = unpack_record(body, max_values=100)
    assert record == {"k": 1, "outcomes": [{"value": 2}]}
    assert [bytes(b) for b in buffers] == [b"abc", b"", b"\x00" * 5]
    assert unpack_record(pack_record({"k": 0}), 100) == ({"k": 0}, [])


def _body(header: bytes, rest: bytes = b"") -> bytes:
    return struct.pack(">I", len(header)) + header + rest


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x00\x00", "length of its JSON"),
        (struct.pack(">I", 99) + b"{}", "runs past its end"),
        (_body(b"{not json"), "unreadable"),
        (_body(b"[1, 2]"), "fill the rest"),
        (_body(b'{"buffers": [3]}', b"ab"), "fill the rest"),
        (_body(b'{"buffers": [1]}', b"ab"), "fill the rest"),
        (_body(b'{"buffers": [-1, 3]}', b"ab"), "fill the rest"),
        (_body(b'{"buffers": ["2"]}', b"ab"), "fill the rest"),
        (_body(b'{"buffers": [], "x": [' + b"[]," * 200 + b"[]]}"), "too many"),
    ],
)
def test_a_malformed_result_body_is_refused(body, match):
    with pytest.raises(ChannelError, match=match):
        unpack_record(body, max_values=100)
