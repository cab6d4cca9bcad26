"""The course's configuration: its secret."""

from __future__ import annotations

import stat

import pytest

from course_tools.grading._course import SECRET_FILE, Course, CourseError


def test_the_course_secret_is_made_once_for_its_owner_only(tmp_path):
    course = Course(root=tmp_path, course_id="c", db_url="sqlite://")
    secret = course.secret()
    assert len(secret) == 32 and course.secret() == secret
    mode = stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    (tmp_path / SECRET_FILE).write_text("not hex\n")
    with pytest.raises(CourseError, match="restore it from a backup"):
        course.secret()
