"""The ``course`` command: the instructor's workflow on top of nbgrader.

Run ``course --help``, or ``course COMMAND --help`` for one command. Every
command runs from the course's root folder (the one with nbgrader_config.py)
unless ``--root`` says otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]

# One BLAS thread: checks run beside the sandboxes, one per core, and BLAS
# threads that spin for a core another grading job holds slow both down many
# times over. Set before numpy is first imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# jsonschema (under nbformat's validator) imports rfc3987_syntax if it is
# installed, to check the "iri" string format, and that import compiles a
# grammar: 0.8 s of every `course` command. No schema this command validates
# (nbformat's) uses a string format, so it is marked absent, as if not
# installed; jsonschema then simply has no "iri" checker.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _course(args: argparse.Namespace):
    from course_tools.grading.grade import Course

    return Course.load(args.root, db_url=getattr(args, "db_url", None))


def _nbgrader(course, *args: str) -> None:
    exe = Path(sys.executable).parent / "nbgrader"
    command = [str(exe) if exe.exists() else "nbgrader", *args, "--log-level=WARN"]
    if course.db_url:
        command.append(f"--CourseDirectory.db_url={course.db_url}")
    env = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    proc = subprocess.run(
        command, cwd=course.root, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        from course_tools.grading._text import printable

        said = [
            line.strip()
            for line in (proc.stderr + proc.stdout).splitlines()
            if line.strip()
        ]
        errors = [line for line in said if "error" in line.lower()] or said
        raise SystemExit(
            f"course: nbgrader {' '.join(args)} failed: "
            f"{printable(errors[-1] if errors else f'exit code {proc.returncode}', 400)}"
        )


def _release(args: argparse.Namespace) -> int:
    course = _course(args)
    source = course.path("source")
    assignments = args.assignment or sorted(
        p.parent.name for p in source.glob("*/*.ipynb")
    )
    if not assignments:
        print(f"course: no assignment found in {source}", file=sys.stderr)
        return 1
    from course_tools.grading.release import add_setup_cell, install_spec

    for assignment in assignments:
        if not (source / assignment).is_dir():
            print(
                f"course: {course.source}/{assignment} does not exist; check the assignment id",
                file=sys.stderr,
            )
            return 1
    try:
        spec = install_spec(course.root)
    except ValueError as error:
        spec = None
        print(
            f"course: note: released notebooks get no setup cell ({error})",
            file=sys.stderr,
        )
    for assignment in assignments:
        _nbgrader(course, "generate_assignment", assignment, "--force")
        released = course.path("release", assignment)
        leaked = [p.name for p in released.rglob("hidden_tests.py")]
        markers = [
            p.name
            for p in released.rglob("*.ipynb")
            if any(
                m in p.read_text()
                for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME")
            )
        ]
        if leaked or markers:
            shutil.rmtree(released)
            print(
                f"course: {assignment}: the release would leak {leaked + markers}; removed it",
                file=sys.stderr,
            )
            return 1
        if spec is not None:
            for notebook in sorted(released.glob("*.ipynb")):
                add_setup_cell(notebook, spec)
        print(f"released {assignment} -> {released.relative_to(course.root)}/")
    return 0


def _roster(args: argparse.Namespace) -> int:
    from course_tools.grading.roster import import_roster, read_roster

    course = _course(args)
    roster = read_roster(args.file, args.format, args.id_column)
    report = import_roster(course, roster)
    print(report.summary())  # every name in it is already made printable
    return 0


def _collect(args: argparse.Namespace) -> int:
    from course_tools.grading._text import printable
    from course_tools.grading.collect import collect_zip

    course = _course(args)
    released = course.path("release", args.assignment)
    if not released.is_dir():
        # A typo here would file the whole class under a homework nobody has.
        folder = course.path("release")
        known = (
            sorted(p.name for p in folder.iterdir() if p.is_dir())
            if folder.is_dir()
            else []
        )
        print(
            "course: the assignment must be one you have released "
            f"({', '.join(known) or 'none yet'}); got {printable(args.assignment, 80)!r}. "
            f"Check the id, or release it first: `course release {printable(args.assignment, 80)}`",
            file=sys.stderr,
        )
        return 2
    notebook = f"{args.notebook or args.assignment}.ipynb"
    expected = (
        sorted(
            p.relative_to(released).as_posix()
            for p in released.rglob("*")
            if p.is_file()
            and p.name != notebook
            and ".ipynb_checkpoints" not in p.parts
        )
        if released.is_dir()
        else []
    )
    from course_tools.grading.lms import read_worksheet
    from course_tools.grading.roster import load_roster

    kwargs = {
        "root": course.root,
        "notebook": args.notebook,
        "expected_files": expected,
        # The students `course roster` imported (with a name, email or LMS id),
        # not those grading made from folder names before there was a roster.
        "roster": [
            p
            for p in load_roster(course)
            if p.first_name or p.last_name or p.email or p.lms_user_id
        ]
        or None,
    }
    if args.worksheet:
        kwargs["worksheet"] = read_worksheet(args.worksheet, course.timezone)
    if args.pattern:
        kwargs["pattern"] = args.pattern
    report = collect_zip(args.zip, args.assignment, **kwargs)
    print(report.summary())  # every name in it is already made printable
    return 0 if report.ok else 1


def _grade(args: argparse.Namespace) -> int:
    from course_tools.grading._text import printable
    from course_tools.grading.grade import CourseError, grade_assignments
    from course_tools.grading.sandbox import Limits, SandboxError

    course = _course(args)
    limits = Limits(
        memory_mb=args.memory_mb,
        cell_timeout=args.cell_timeout,
        call_timeout=args.call_timeout,
        submission_timeout=args.submission_timeout,
    )
    try:
        summaries = grade_assignments(
            course,
            args.assignment,
            workers=args.workers,
            scheduler=args.scheduler,
            students=args.student or None,
            force=args.force,
            limits=limits,
            progress=not args.quiet,
            on_warning=lambda text: print(f"course: warning: {text}", file=sys.stderr),
        )
    except (CourseError, SandboxError, FileNotFoundError, TypeError) as error:
        print(f"course: {printable(error, 600)}", file=sys.stderr)
        return 2
    failed = False
    for assignment, summary in summaries.items():
        print(
            f"{printable(assignment, 80)}: graded {len(summary.graded)}, "
            f"unchanged {len(summary.skipped)} (use --force to regrade), "
            f"could not grade {len(summary.errors)}"
        )
        for error in summary.errors:
            print(f"  error: {assignment}: {error}", file=sys.stderr)
        found = [r for r in summary.graded if r.notes]
        if found:
            print(
                f"  {len(found)} submission(s) had lost their grading metadata; their "
                "answers were found by the names they define (their feedback says so; "
                "check them in formgrader)"
            )
        flagged = [r for r in summary.graded if r.findings]
        if flagged:
            print(
                f"  {len(flagged)} submission(s) use idioms that may be tampering; "
                f"see `course scan {assignment}`"
            )
        failed = failed or bool(summary.errors)
    return 1 if failed else 0


def _feedback(args: argparse.Namespace) -> int:
    from course_tools.grading._text import printable
    from course_tools.grading.grade import (
        Assignment,
        CourseError,
        graded_students,
        write_feedback,
    )

    course = _course(args)
    failed = 0
    for assignment_id in args.assignment:
        try:
            assignment = Assignment(course, assignment_id)
        except (CourseError, FileNotFoundError) as error:
            print(f"course: {printable(error, 600)}", file=sys.stderr)
            return 2
        students = args.student or graded_students(course, assignment)
        pages = {}
        for student in students:
            try:
                path = write_feedback(course, assignment, student)
                pages[student] = path
                print(printable(f"{student}: {path.relative_to(course.root)}", 300))
            except CourseError as error:
                failed += 1
                print(f"course: {printable(error, 600)}", file=sys.stderr)
            except (Exception, RecursionError) as error:
                # One student's feedback failing must not stop the others'.
                failed += 1
                print(
                    printable(
                        f"course: {student}: no feedback written "
                        f"({type(error).__name__}: {error}); run `course feedback "
                        f"{assignment_id} --student {student}` again",
                        600,
                    ),
                    file=sys.stderr,
                )
        failed += _archives(course, assignment, pages)
    return 1 if failed else 0


def _archives(course: Any, assignment: Any, pages: dict[str, Path]) -> int:
    """One zip per LMS the submissions came from, for its bulk feedback upload."""
    from course_tools.grading._text import printable
    from course_tools.grading.collect import read_facts
    from course_tools.grading.lms import feedback_archive

    facts = read_facts(course.root, assignment.id)
    layouts = sorted(
        {info.get("layout") for info in facts.values()} & {"canvas", "moodle"}
    )
    for fmt in layouts:
        out = course.path("feedback") / f"{assignment.id}-{fmt}-feedback.zip"
        out.parent.mkdir(parents=True, exist_ok=True)
        count, left_out = feedback_archive(
            pages, facts, out, fmt, assignment.notebook_id
        )
        where = (
            "Canvas: the assignment's Submissions > Re-Upload Submissions"
            if fmt == "canvas"
            else "Moodle: View all submissions > Upload multiple feedback files in a zip"
        )
        print(
            f"{fmt}: {count} feedback pages -> "
            f"{printable(out.relative_to(course.root), 300)} (upload it in {where})"
        )
        for line in left_out:
            print(f"  {line}", file=sys.stderr)
    return 0


def _grades(args: argparse.Namespace) -> int:
    from course_tools.grading._text import printable
    from course_tools.grading.lms import write_grades
    from course_tools.grading.report import export_grades

    course = _course(args)
    if args.output and len(args.format or []) != 1:
        print(
            "course: --output needs exactly one --format; got "
            f"{len(args.format or [])}: drop --output to write grades-FORMAT.csv",
            file=sys.stderr,
        )
        return 2
    table = export_grades(
        course.db_url,
        course_id=course.course_id,
        csv_path=course.root / args.csv,
        html_path=course.root / args.html,
        assignment=args.assignment,
        course=course,
    )
    print(f"{len(table)} rows -> {args.csv}, report -> {args.html}")
    for fmt in args.format or []:
        out = course.root / (args.output or f"grades-{fmt}.csv")
        left_out = write_grades(
            table,
            out,
            fmt,
            columns=course.lms_columns.get(fmt),
            due_dates=course.due_dates,
            grace=course.late_policy.grace,
            missing=args.missing,
        )
        students = table["student_id"].nunique() - len(left_out) if len(table) else 0
        print(
            f"{fmt}: {students} students -> {printable(out.relative_to(course.root), 300)}"
            + (f" (import it in {_IMPORT[fmt]})" if fmt in _IMPORT else "")
        )
        for line in left_out:
            print(f"  {line}", file=sys.stderr)
    return 0


_IMPORT = {
    "canvas": "Canvas: Grades > Import",
    "moodle": "Moodle: Grades > Import > CSV file, mapping Email address to "
    "Email address",
}


def _scan(args: argparse.Namespace) -> int:
    from course_tools.grading._text import first_line, printable
    from course_tools.grading.grade import (
        Assignment,
        StudentError,
        find_submissions,
        read_notebook,
    )
    from course_tools.grading.scan import scan_source

    course = _course(args)
    assignment = Assignment(course, args.assignment)
    found, errors = find_submissions(course, assignment, args.student or None)
    total = 0
    for student, path in sorted(found.items()):
        try:
            nb = read_notebook(path)
            lines = []
            for cell in assignment.to_scan(assignment.cells_to_run(nb)):
                for f in scan_source(cell["source"], cell["id"]):
                    # Every field may hold the student's bytes: print them inert.
                    fields = [student, f"{f.cell}:{f.line}", f.idiom, f.why, f.code]
                    lines.append("\t".join(printable(x, 200) for x in fields))
        except (Exception, RecursionError) as error:
            errors.append(
                StudentError(
                    student, str(path.relative_to(course.root)), first_line(error)
                )
            )
            continue
        total += len(lines)
        for line in lines:
            print(line)
    for error in errors:
        print(f"  error: {error}", file=sys.stderr)
    print(f"{total} finding(s) in {len(found)} submission(s)", file=sys.stderr)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from course_tools.publish import publish

    try:
        report = publish(Path(args.root), args.dir, build=not args.no_build)
    except ValueError as error:
        print(f"course: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Release, collect, grade and report on the course's homework (on top of nbgrader).",
    )
    parser.add_argument(
        "--root",
        default=".",
        help="the course folder, with nbgrader_config.py (default: .)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for add in (
        _add_release,
        _add_roster,
        _add_collect,
        _add_grade,
        _add_feedback,
        _add_grades,
        _add_scan,
        _add_publish,
    ):
        add(sub)
    return parser


def _add_release(sub: Any) -> None:
    p = sub.add_parser(
        "release",
        help="write the student versions into exercises/",
        description="Run nbgrader generate_assignment for each assignment (default: all) and check that nothing secret was released.",
    )
    p.add_argument(
        "assignment",
        nargs="*",
        help="assignment ids, e.g. hw01 (default: every folder of solutions/)",
    )
    p.add_argument("--db-url", help="gradebook URL (default: from nbgrader_config.py)")
    p.set_defaults(func=_release)


def _add_roster(sub: Any) -> None:
    p = sub.add_parser(
        "roster",
        help="import the class list from the LMS into the gradebook",
        description="Import a Canvas gradebook export, a Moodle participants export or "
        "a plain CSV (student_id, first_name, last_name, email, lms_user_id) into "
        "nbgrader's students: id, name, email and LMS id. Run it again whenever the "
        "class changes: students keep their ids, and none is ever deleted.",
    )
    p.add_argument("file", type=Path, help="the class list (CSV)")
    p.add_argument(
        "--format",
        choices=["auto", "canvas", "moodle", "csv"],
        default="auto",
        help="the file's form (default: detected from its header)",
    )
    p.add_argument(
        "--id-column",
        help="the column that gives each student's id (default: Canvas SIS Login "
        "ID, SIS User ID or ID; Moodle ID number, Username or Email address)",
    )
    p.add_argument("--db-url", help="gradebook URL (default: from nbgrader_config.py)")
    p.set_defaults(func=_roster)


def _add_collect(sub: Any) -> None:
    p = sub.add_parser(
        "collect",
        help="unpack a learning-management-system zip into submitted/",
        description="Unpack a Canvas, Moodle or one-folder-per-student zip export into submitted/<student>/<assignment>/.",
    )
    p.add_argument("zip", type=Path, help="the zip file exported by the LMS")
    p.add_argument("assignment", help="assignment id, e.g. hw01")
    p.add_argument(
        "--notebook",
        help="expected notebook name without .ipynb (default: the assignment id)",
    )
    p.add_argument(
        "--pattern",
        help="regular expression with groups student_id and file, for other layouts",
    )
    p.add_argument(
        "--worksheet",
        type=Path,
        help="Moodle: the assignment's grading worksheet (CSV), which says whose "
        "each participant number is and when each was submitted",
    )
    p.set_defaults(func=_collect)


def _add_grade(sub: Any) -> None:
    p = sub.add_parser(
        "grade",
        help="autograde every submission in parallel, sandboxed",
        description="Grade submitted/<student>/ASSIGNMENT/ in sandboxes, several at once; scores go to nbgrader's gradebook. Submissions already graded and unchanged are skipped, so an interrupted run resumes.",
    )
    p.add_argument(
        "assignment", nargs="+", help="assignment ids, e.g. hw01 (several: one pool)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="submissions graded at once on this machine (default: all cores)",
    )
    p.add_argument(
        "--scheduler",
        help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--student",
        action="append",
        help="grade only this student (repeatable); always regrades",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="regrade submissions that are already graded",
    )
    p.add_argument(
        "--db-url",
        help="gradebook URL, e.g. postgresql://user@host/db (default: from nbgrader_config.py)",
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=3072,
        help="memory limit per submission (default: 3072)",
    )
    p.add_argument(
        "--cell-timeout",
        type=float,
        default=30,
        help="seconds per notebook cell (default: 30)",
    )
    p.add_argument(
        "--call-timeout",
        type=float,
        default=60,
        help="seconds per test cell's calls (default: 60)",
    )
    p.add_argument(
        "--submission-timeout",
        type=float,
        default=600,
        help="seconds per submission (default: 600)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_grade)


def _add_feedback(sub: Any) -> None:
    p = sub.add_parser(
        "feedback",
        help="write each student's feedback page",
        description="Write feedback/<student>/ASSIGNMENT/<notebook>.html: per part, pass or fail, points and a hint; never the hidden tests.",
    )
    p.add_argument("assignment", nargs="+", help="assignment ids, e.g. hw01")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--db-url", help="gradebook URL (default: from nbgrader_config.py)")
    p.set_defaults(func=_feedback)


def _add_grades(sub: Any) -> None:
    p = sub.add_parser(
        "grades",
        help="export grades to CSV and an HTML report",
        description="Export every grade to a CSV file and a report with plots (score distribution, per-part pass rates, mean scores).",
    )
    p.add_argument("--assignment", help="only this assignment")
    p.add_argument(
        "--format",
        action="append",
        choices=["canvas", "moodle", "nbgrader"],
        help="also write the grades as this LMS imports them, to grades-FORMAT.csv "
        "(repeatable): one row per student, scores after the late penalty",
    )
    p.add_argument(
        "--output",
        help="file for --format (default: grades-FORMAT.csv)",
    )
    p.add_argument(
        "--missing",
        choices=["zero", "blank"],
        default="zero",
        help="a roster student who submitted nothing: 0 once the due date has "
        "passed (zero, the default) or an empty cell (blank); before the due "
        "date it is always empty",
    )
    p.add_argument("--csv", default="grades.csv", help="CSV path (default: grades.csv)")
    p.add_argument(
        "--html",
        default="grades_report.html",
        help="report path (default: grades_report.html)",
    )
    p.add_argument("--db-url", help="gradebook URL (default: from nbgrader_config.py)")
    p.set_defaults(func=_grades)


def _add_scan(sub: Any) -> None:
    p = sub.add_parser(
        "scan",
        help="list code that looks like tampering, for review",
        description="Statically scan submissions for idioms that try to change grading (hooks, monkeypatching, __eq__ overrides, process and file tricks).",
    )
    p.add_argument("assignment", help="assignment id, e.g. hw01")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.set_defaults(func=_scan)


def _add_publish(sub: Any) -> None:
    p = sub.add_parser(
        "publish",
        help="write the student-facing repository and its site",
        description="Write DIR as the students' repository (book sources, exercises/, course_lib without grading), build its site, and check that no solution or hidden test reached either.",
    )
    p.add_argument(
        "dir",
        type=Path,
        metavar="DIR",
        help="empty folder, or a previous publish output",
    )
    p.add_argument(
        "--no-build", action="store_true", help="write the sources only, no site"
    )
    p.set_defaults(func=_publish)


def main(argv: list[str] | None = None) -> int:
    """Run one ``course`` command; errors are one line on stderr, never a traceback."""
    from course_tools.grading._text import first_line, printable

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("course: interrupted; run the command again to continue", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except (OSError, ValueError, RuntimeError, TypeError, LookupError) as error:
        print(f"course: {printable(first_line(error, 600), 600)}", file=sys.stderr)
        return 2
    except Exception as error:  # one line, never a traceback
        print(
            f"course: {args.command} failed: {type(error).__name__}: "
            f"{printable(first_line(error, 400), 400)}; nothing else was changed. "
            "Fix what it names and run the command again (`course "
            f"{args.command} --help`)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
