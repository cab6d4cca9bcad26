"""The class list: Canvas and Moodle exports and plain CSV read as students,
imported into nbgrader's gradebook with stable ids, and found again by name,
email or LMS user id."""

from __future__ import annotations

import os
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_tools.grading import roster as roster_module
from course_tools.grading.grade import Course
from course_tools.grading.roster import (
    SAFE_ID,
    Lookup,
    Person,
    Roster,
    import_roster,
    load_roster,
    read_roster,
)

BIN = Path(sys.executable).parent
COURSE_ID = "data-ethics"

CANVAS_HEADER = (
    "Student,ID,SIS User ID,SIS Login ID,Integration ID,Section,"
    "Homework 1 (1001),Homework 2 (1002),Current Score,Final Score\n"
)
# Canvas's export: the manual-posting row, the Points Possible row (with its
# leading spaces), two students called Jane Smith, accented, CJK and one-word
# names, and the Test Student last.
CANVAS = CANVAS_HEADER + (
    ",,,,,,Manual Posting,,,\n"
    "    Points Possible,,,,,,10,10,(read only),(read only)\n"
    '"Smith, Jane",101,S1001,jsmith,,Section A,9,8,85,85\n'
    '"Smith, Jane",102,S1002,jsmith2,,Section B,7,,70,35\n'
    '"Núñez, Zoë",103,S1003,znunez@uni.edu,,Section A,,,,\n'
    '"王, 小明",104,S1004,xwang,,Section A,10,10,100,100\n'
    "Madonna,105,S1005,madonna,,Section B,,,,\n"
    '"Student, Test",106,,,,Section A,,,,\n'
)

MOODLE = (
    "First name,Last name,Email address,Roles,Groups,Last access to course,Status\n"
    "Ada,Lovelace,ada@uni.edu,Student,Group 1,2 days 3 hours,Active\n"
    "Charles,Babbage,charles@uni.edu,Teacher,,1 hour,Active\n"
    'Grace,Hopper,grace@uni.edu,"Non-editing teacher, Student",,Never,Active\n'
    "Alan,Turing,alan@uni.edu,Student,,Never,Suspended\n"
    "Kurt,Gödel,kurt@uni.edu,No roles,,Never,Active\n"
    "Emmy,Noether,emmy@uni.edu,Student,Group 2,Never,Not current\n"
)


def _write(folder: Path, text: str, name: str = "roster.csv", **kw) -> Path:
    path = folder / name
    path.write_text(text, encoding=kw.get("encoding", "utf-8"), newline="")
    return path


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """A gradebook with nbgrader's tables and nothing in them."""
    path = tmp_path_factory.mktemp("roster-template") / "gradebook.db"
    # Creating a gradebook runs the `alembic` executable of the environment.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        with Gradebook(f"sqlite:///{path}", course_id=COURSE_ID):
            pass
    return path


@pytest.fixture
def course(empty_gradebook, tmp_path) -> Course:
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(empty_gradebook, root / "gradebook.db")
    return Course(root, COURSE_ID, f"sqlite:///{root / 'gradebook.db'}")


def _students(course: Course) -> dict[str, tuple]:
    with course.gradebook() as gb:
        return {
            s.id: (s.first_name, s.last_name, s.email, s.lms_user_id)
            for s in gb.students
        }


# --------------------------------------------------------------------------
# Canvas
# --------------------------------------------------------------------------


def test_canvas_export_with_bom_points_possible_and_test_student(tmp_path):
    path = _write(tmp_path, "\ufeff" + CANVAS)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    roster = read_roster(path)
    assert roster.format == "canvas" and roster.id_column == "SIS Login ID"
    assert roster.source == "roster.csv"
    assert roster.people == [
        Person("jsmith", "Jane", "Smith", "", "101", "Section A"),
        Person("jsmith2", "Jane", "Smith", "", "102", "Section B"),
        Person("znunez@uni.edu", "Zoë", "Núñez", "znunez@uni.edu", "103", "Section A"),
        Person("xwang", "小明", "王", "", "104", "Section A"),
        Person("madonna", "Madonna", "", "", "105", "Section B"),
    ]
    assert roster.skipped == [
        "row 2: no Student or ID (not a student's row)",
        "row 3: Canvas's Points Possible row",
        "row 9: Canvas's Test Student",
    ]
    assert [p.name for p in roster.people][-2:] == ["小明 王", "Madonna"]


def test_canvas_names_are_nfc_normalised(tmp_path):
    nfd = unicodedata.normalize("NFD", '"Núñez, Zoë"')
    assert nfd != unicodedata.normalize("NFC", nfd)
    path = _write(tmp_path, CANVAS_HEADER + f"{nfd},7,,z1,,A,,,,\n")
    (person,) = read_roster(path).people
    assert (person.first_name, person.last_name) == ("Zoë", "Núñez")
    assert unicodedata.is_normalized("NFC", person.first_name + person.last_name)


def test_canvas_falls_back_to_the_canvas_id_when_a_login_is_missing(tmp_path):
    # A new student without an SIS login or SIS user id yet: neither column
    # gives every student an id, so the Canvas user id does.
    text = CANVAS + '"Doe, John",107,,,,Section A,,,,\n'
    roster = read_roster(_write(tmp_path, text))
    assert roster.id_column == "ID"
    assert [p.student_id for p in roster.people] == [
        "101",
        "102",
        "103",
        "104",
        "105",
        "107",
    ]


def test_canvas_uses_the_sis_user_id_when_the_login_is_not_a_folder_name(tmp_path):
    text = CANVAS_HEADER + (
        '"Smith, Jane",101,S1001,jane smith,,A,,,,\n"Doe, John",102,S1002,jdoe,,A,,,,\n'
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.id_column == "SIS User ID"
    assert [p.student_id for p in roster.people] == ["S1001", "S1002"]


def test_canvas_export_of_a_ta_without_sis_columns(tmp_path):
    text = (
        'Student,ID,Section,Quiz (5)\n    Points Possible,,,5\n"Lovelace, Ada",11,A,5\n'
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.format == "canvas" and roster.id_column == "ID"
    assert roster.people == [Person("11", "Ada", "Lovelace", "", "11", "A")]


def test_canvas_export_with_first_and_last_name_columns(tmp_path):
    # "Show first and last names" on: LastName, FirstName; semicolons when the
    # user asked Canvas for them; a name starting with "=" quoted for Excel.
    text = (
        "LastName;FirstName;ID;SIS Login ID;Section;Quiz (5)\n"
        "    Points Possible;;;;;5\n"
        "Lovelace;Ada;11;ada;A;5\n"
        '"=""=cmd""";Eve;12;eve;A;\n'
        "Student;Test;13;;A;\n"
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.format == "canvas" and roster.id_column == "SIS Login ID"
    assert roster.people == [
        Person("ada", "Ada", "Lovelace", "", "11", "A"),
        Person("eve", "Eve", "=cmd", "", "12", "A"),
    ]
    assert roster.skipped == [
        "row 2: Canvas's Points Possible row",
        "row 5: Canvas's Test Student",
    ]


def test_canvas_logins_that_differ_only_in_case_are_not_unique(tmp_path):
    text = CANVAS_HEADER + (
        '"Smith, Jane",101,S1,JSmith,,A,,,,\n"Smith, John",102,S2,jsmith,,A,,,,\n'
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.id_column == "SIS User ID"


def test_an_id_column_can_be_chosen(tmp_path):
    path = _write(tmp_path, CANVAS)
    roster = read_roster(path, id_column="sis user id")
    assert roster.id_column == "SIS User ID"
    assert [p.student_id for p in roster.people][:2] == ["S1001", "S1002"]
    with pytest.raises(ValueError, match=r"id_column must be one of the roster's"):
        read_roster(path, id_column="Student number")
    text = CANVAS + '"Doe, John",107,,,,Section A,,,,\n'
    with pytest.raises(ValueError) as error:
        read_roster(_write(tmp_path, text, "b.csv"), id_column="SIS Login ID")
    message = str(error.value)
    assert "row 10, which is empty" in message and "\n" not in message


# --------------------------------------------------------------------------
# Moodle
# --------------------------------------------------------------------------


def test_moodle_export_skips_teachers_and_inactive_and_ids_are_emails(tmp_path):
    roster = read_roster(_write(tmp_path, MOODLE))
    assert roster.format == "moodle" and roster.id_column == "Email address"
    assert roster.people == [
        Person("ada@uni.edu", "Ada", "Lovelace", "ada@uni.edu", "", "Group 1"),
        Person("grace@uni.edu", "Grace", "Hopper", "grace@uni.edu", "", ""),
    ]
    assert roster.skipped == [
        "row 3: Charles Babbage has the role 'Teacher', not Student",
        "row 5: Alan Turing's enrolment is Suspended",
        "row 6: Kurt Gödel has the role 'No roles', not Student",
        "row 7: Emmy Noether's enrolment is Not current",
    ]


def test_moodle_download_prefers_id_number_then_username(tmp_path):
    text = (
        "First name,Last name,ID number,Username,Email address,Groups\n"
        "Ada,Lovelace,,ada,ada@uni.edu,\n"
        "Grace,Hopper,G7,grace,grace@uni.edu,\n"
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.id_column == "Username"
    assert [p.student_id for p in roster.people] == ["ada", "grace"]
    text = text.replace("Ada,Lovelace,,", "Ada,Lovelace,A1,")
    assert read_roster(_write(tmp_path, text, "b.csv")).id_column == "ID number"


def test_moodle_without_an_identity_field_asks_for_one(tmp_path):
    text = "First name,Last name,Groups\nAda,Lovelace,\nGrace,Hopper,\n"
    with pytest.raises(ValueError) as error:
        read_roster(_write(tmp_path, text))
    message = str(error.value)
    assert "--id-column" in message and "identity" in message
    assert "\n" not in message
    roster = read_roster(_write(tmp_path, text, "b.csv"), id_column="First name")
    assert [p.student_id for p in roster.people] == ["Ada", "Grace"]


# --------------------------------------------------------------------------
# Plain CSV
# --------------------------------------------------------------------------


def test_plain_csv_with_semicolons_splits_names_at_the_last_space(tmp_path):
    text = (
        "student_id;name;email;section\n"
        "s001;Jane van Dyke;jane@uni.edu;A\n"
        "  s002 ; Cher ;;B\n"
        ";;;\n"
    )
    roster = read_roster(_write(tmp_path, text))
    assert roster.format == "csv" and roster.id_column == "student_id"
    assert roster.people == [
        Person("s001", "Jane van", "Dyke", "jane@uni.edu", "", "A"),
        Person("s002", "Cher", "", "", "", "B"),
    ]
    assert roster.skipped == []


def test_plain_csv_with_tabs_and_every_column(tmp_path):
    text = (
        "id\tfirst_name\tlast_name\temail\tlms_user_id\n"
        "ada\tAda\tLovelace\tada@uni.edu\t42\n"
    )
    (person,) = read_roster(_write(tmp_path, text)).people
    assert person == Person("ada", "Ada", "Lovelace", "ada@uni.edu", "42")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("s1,A\n,B\n", "row 3, which is empty"),
        ("s1,A\n=cmd,B\n", "row 3, which has '=cmd', not a safe folder name"),
        ("s1,A\nS1,B\n", "row 3, which has 'S1' again (row 2)"),
    ],
)
def test_plain_csv_ids_must_be_safe_and_unique(tmp_path, rows, expected):
    with pytest.raises(ValueError) as error:
        read_roster(_write(tmp_path, "student_id,name\n" + rows))
    assert "student_id must hold a safe, unique student id" in str(error.value)
    assert expected in str(error.value)


def test_a_name_longer_than_the_gradebook_keeps_is_skipped(tmp_path):
    text = f"student_id,first_name\ns1,Ada\ns2,{'x' * 129}\n"
    roster = read_roster(_write(tmp_path, text))
    assert [p.student_id for p in roster.people] == ["s1"]
    assert roster.skipped == [
        "row 3: its first name must be at most 128 characters (the gradebook "
        "keeps no more)"
    ]


# --------------------------------------------------------------------------
# Files that are not a roster
# --------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("student_id,name\ns1,Zoë Núñez\n".encode("latin-1"))
    with pytest.raises(ValueError) as error:
        read_roster(path)
    message = str(error.value)
    assert message.startswith("roster must be UTF-8 CSV; got ")
    assert message.endswith(": save it again as CSV UTF-8") and "\n" not in message
    path.write_bytes("student_id,name\ns1,Zoë\n".encode("utf-16"))
    with pytest.raises(ValueError, match=r"UTF-16.*save it again as CSV UTF-8"):
        read_roster(path)


def test_a_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    path = _write(tmp_path, "student_id\ns1\ns2\n")
    monkeypatch.setattr(roster_module, "MAX_ROSTER_BYTES", 8)
    with pytest.raises(ValueError, match="roster must be at most 8 bytes"):
        read_roster(path)


def test_unknown_columns_and_wrong_formats_say_what_is_expected(tmp_path):
    with pytest.raises(ValueError, match="Canvas gradebook export, a Moodle"):
        read_roster(_write(tmp_path, "Name,Mail\nAda,a@x.org\n"))
    with pytest.raises(ValueError, match="must start with the columns Student, ID"):
        read_roster(_write(tmp_path, MOODLE, "m.csv"), format="canvas")
    with pytest.raises(ValueError, match="format must be 'auto'"):
        read_roster(_write(tmp_path, MOODLE, "m.csv"), format="blackboard")
    with pytest.raises(ValueError, match="at least one student"):
        read_roster(_write(tmp_path, CANVAS_HEADER + ",,,\n", "e.csv"))
    with pytest.raises(ValueError, match="header row"):
        read_roster(_write(tmp_path, "", "empty.csv"))


def test_hostile_text_never_reaches_a_message_raw(tmp_path):
    text = "student_id,name\n\x1b[2J\u202e,x\n"
    with pytest.raises(ValueError) as error:
        read_roster(_write(tmp_path, text))
    assert "\x1b" not in str(error.value) and "\u202e" not in str(error.value)
    assert "\\x1b" in str(error.value)


# --------------------------------------------------------------------------
# The gradebook
# --------------------------------------------------------------------------


def test_import_adds_then_changes_nothing_the_second_time(course, tmp_path):
    with course.gradebook() as gb:
        gb.add_student("dropped", first_name="Old", last_name="Student")
    roster = read_roster(_write(tmp_path, CANVAS))
    report = import_roster(course, roster)
    assert [p.student_id for p in report.added] == [p.student_id for p in roster.people]
    assert report.updated == report.unchanged == []
    assert report.not_on_roster == ["dropped"]
    assert report.summary().splitlines()[0] == (
        "roster.csv (canvas): 5 students: 5 added, 0 updated, 0 unchanged; "
        "1 in the gradebook but not on the roster; 3 rows skipped"
    )
    students = _students(course)
    assert students["xwang"] == ("小明", "王", None, "104")
    assert students["znunez@uni.edu"] == ("Zoë", "Núñez", "znunez@uni.edu", "103")
    assert students["dropped"] == ("Old", "Student", None, None)

    again = import_roster(course, read_roster(_write(tmp_path, CANVAS)))
    assert again.added == again.updated == []
    assert len(again.unchanged) == 5 and again.not_on_roster == ["dropped"]
    assert _students(course) == students
    assert load_roster(course)[-1] == Person(
        "znunez@uni.edu", "Zoë", "Núñez", "znunez@uni.edu", "103"
    )


def test_reimport_keeps_ids_when_the_id_column_changes(course, tmp_path):
    import_roster(course, read_roster(_write(tmp_path, CANVAS)))
    # A week later: John Doe joins without an SIS login (so the rule now
    # picks Canvas's ID) and Jane Smith (102) changed her last name.
    later = CANVAS.replace('"Smith, Jane",102', '"Jones, Jane",102')
    later += '"Doe, John",107,,,,Section A,,,,\n'
    roster = read_roster(_write(tmp_path, later, "later.csv"))
    assert roster.id_column == "ID"
    report = import_roster(course, roster)
    assert [p.student_id for p in report.added] == ["107"]
    assert report.updated == [
        Person("jsmith2", "Jane", "Jones", "", "102", "Section B")
    ]
    assert report.changes == {"jsmith2": ["last name"]}
    assert {p.student_id for p in report.unchanged} == {
        "jsmith",
        "znunez@uni.edu",
        "xwang",
        "madonna",
    }
    assert set(_students(course)) == {
        "jsmith",
        "jsmith2",
        "znunez@uni.edu",
        "xwang",
        "madonna",
        "107",
    }
    summary = report.summary()
    assert "jsmith2  Jane Jones  (last name)" in summary


def test_students_nbgrader_created_get_their_names_and_email(course, tmp_path):
    # nbgrader autograde created "ada" with nothing but an id.
    with course.gradebook() as gb:
        gb.add_student("ada")
        gb.add_student("grace@uni.edu", email="GRACE@uni.edu", lms_user_id="9")
    text = "student_id,name,email\nada,Ada Lovelace,ada@uni.edu\nhopper,Grace Hopper,grace@uni.edu\n"
    report = import_roster(course, read_roster(_write(tmp_path, text)))
    assert [p.student_id for p in report.updated] == ["ada", "grace@uni.edu"]
    assert report.changes == {
        "ada": ["first name", "last name", "email"],
        "grace@uni.edu": ["first name", "last name", "email"],
    }
    students = _students(course)
    assert students == {
        "ada": ("Ada", "Lovelace", "ada@uni.edu", None),
        # Matched by email, regardless of case; its LMS user id is kept.
        "grace@uni.edu": ("Grace", "Hopper", "grace@uni.edu", "9"),
    }


def test_an_id_taken_by_a_different_student_writes_nothing(course, tmp_path):
    with course.gradebook() as gb:
        gb.add_student(
            "jsmith", first_name="John", last_name="Smith", lms_user_id="111"
        )
    text = "student_id,name,lms_user_id\njdoe,John Doe,300\njsmith,Jane Smith,222\n"
    before = _students(course)
    with pytest.raises(ValueError) as error:
        import_roster(course, read_roster(_write(tmp_path, text)))
    message = str(error.value)
    assert "'jsmith' (Jane Smith) with LMS user id 222" in message
    assert "gradebook student 'jsmith' (John Smith) with LMS user id 111" in message
    assert "nothing was imported" in message and "\n" not in message
    assert _students(course) == before


def test_two_rows_that_are_one_gradebook_student_write_nothing(course):
    with course.gradebook() as gb:
        gb.add_student("ada", email="ada@uni.edu")
    roster = Roster(
        "csv",
        [
            Person("ada1", "Ada", "Lovelace", "ada@uni.edu", ""),
            Person("ada2", "Ada", "King", "ADA@uni.edu", ""),
        ],
    )
    with pytest.raises(ValueError, match="both match gradebook student 'ada'"):
        import_roster(course, roster)
    assert _students(course) == {"ada": (None, None, "ada@uni.edu", None)}


def test_a_hand_built_roster_with_an_unsafe_id_is_refused(course):
    with pytest.raises(ValueError, match=r"safe folder name; got '\.\./x'"):
        import_roster(course, Roster("csv", [Person("../x", "X", "", "", "")]))
    assert _students(course) == {}


def test_moodle_import_then_lookup_from_the_gradebook(course, tmp_path):
    import_roster(course, read_roster(_write(tmp_path, MOODLE)))
    find = Lookup(load_roster(course))
    assert len(find) == 2
    assert find.by_email("ADA@uni.edu").student_id == "ada@uni.edu"
    assert [p.student_id for p in find.by_name("Grace Hopper")] == ["grace@uni.edu"]


def test_summary_shows_hostile_names_inert():
    report = roster_module.RosterReport(
        added=[Person("s1", "\x1b[2JEve", "\u202eSmith", "", "")],
        skipped=["row 3: \x1b]0;owned\x07 has no role"],
        source="r\x1b.csv",
        format="csv",
    )
    summary = report.summary()
    assert "\x1b" not in summary and "\u202e" not in summary
    assert "s1  \\x1b[2JEve \\u202eSmith" in summary
    assert summary.splitlines()[0].startswith("r\\x1b.csv (csv): 1 student: 1 added")


# --------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------


def test_lookup_by_slug_name_email_and_lms_id(tmp_path):
    find = Lookup(read_roster(_write(tmp_path, CANVAS)).people)
    # Canvas's zip names files by the slug of the sortable name.
    assert [p.student_id for p in find.by_name("smithjane")] == ["jsmith", "jsmith2"]
    assert [p.student_id for p in find.by_name("  JANE   smith ")] == [
        "jsmith",
        "jsmith2",
    ]
    assert [p.student_id for p in find.by_name("Smith,Jane")] == ["jsmith", "jsmith2"]
    assert [p.student_id for p in find.by_name("núñezzoë")] == ["znunez@uni.edu"]
    nfd = unicodedata.normalize("NFD", "ZOË NÚÑEZ")
    assert [p.student_id for p in find.by_name(nfd)] == ["znunez@uni.edu"]
    assert [p.student_id for p in find.by_name("王小明")] == ["xwang"]
    assert [p.student_id for p in find.by_name("madonna")] == ["madonna"]
    assert find.by_name("Jane") == [] and find.by_name("") == []
    assert find.by_email("ZNUNEZ@UNI.EDU").student_id == "znunez@uni.edu"
    assert find.by_email("") is None and find.by_email("x@y.z") is None
    assert find.by_lms_user_id("104").student_id == "xwang"
    assert find.by_lms_user_id("") is None and find.by_lms_user_id("999") is None


def test_slug_keeps_letters_marks_and_digits_like_ruby_word_class():
    # Canvas: last_name_first.gsub(/[^[:word:]]/, "").downcase
    person = Person("s1", "Mary-Jane", "O'Brien Smith", "", "")
    assert Lookup([person]).by_name("obriensmithmaryjane") == [person]
    hindi = Person("s2", "अनीता", "शर्मा", "", "")  # vowel signs are marks
    assert Lookup([hindi]).by_name("शर्माअनीता") == [hindi]


@pytest.mark.parametrize("good", ["ada", "s001", "_x", "jane.smith@uni.edu", "a-b"])
def test_safe_ids(good):
    assert SAFE_ID.fullmatch(good)


@pytest.mark.parametrize("bad", ["", ".x", "-2", "@a", "=cmd", "a b", "a/b", "x" * 129])
def test_unsafe_ids(bad):
    assert not SAFE_ID.fullmatch(bad)
