import os

import pytest

from course_lib.grading._channel import ChannelError, FrameReader, write_frame


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
