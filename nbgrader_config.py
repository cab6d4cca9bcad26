"""nbgrader configuration for The Science of Data Ethics.

Folders: instructor notebooks (solutions and hidden tests) live in ``solutions/``;
the student versions that ``nbgrader generate_assignment`` writes go to
``exercises/`` and are committed. ``submitted/``, ``autograded/``, ``feedback/``
and ``gradebook.db`` hold student data and are never committed.

The settings below guard against nbgrader's known failure modes (see
``../shared/NOTES.md`` and the instructor section of the README).
"""

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "data-ethics"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Files of an assignment's source folder that are never copied anywhere: in
# particular hidden_tests.py, which must not reach exercises/ (its tests run in
# the grader, or find it under solutions/ when stock nbgrader autogrades).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".DS_Store",
    "hidden_tests.py",
    ".previous",
]

# A stream on stderr in a test cell scores that cell 0 in stock nbgrader, so a
# FutureWarning raised inside a correct answer would zero it. Errors are reported
# as `error` outputs, never as stderr, so dropping every stderr stream before
# grading loses no failure: it only stops warnings and debug prints from
# costing marks.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]"

# A student who deletes a test cell would otherwise leave the submission
# "needs manual grade" forever: put the cell back from the gradebook and grade it.
c.OverwriteCells.add_missing_cells = True

# Every cell has a time limit; a cell that runs past it is interrupted, scored 0,
# and grading goes on with the next cell.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True

# Keep pathological output from bloating notebooks and feedback.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 50

# Students are created in the gradebook on first autograde.
c.Autograde.create_student = True

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Formgrader renders each autograded notebook, HTML and all, on the instructor's
# Jupyter server: every markdown answer a student wrote is made plain text after
# grading (nbgrader's own preprocessors first, so "No response." is still found).
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    "course_tools.grading.InertAnswers",
]

# Stock feedback shows hidden tests and the tracebacks that quote them: strip both.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course_tools.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# The term, read by the `course` command: due dates (nbgrader's gradebook gets
# them too), the zone of times written without one, the late policy ("none",
# "zero", or "P% per hour|day|week[, at most Q%]", each started period counting)
# with minutes of grace, the LMS's name of each homework's grade column, and
# where formgrader is served (for the report's links). For example:
#   c.Term.due_dates = {"hw01": "2027-01-25 23:59", "hw02": "2027-02-01 23:59"}
#   c.Term.timezone = "America/New_York"
#   c.Term.late_policy = "10% per day, at most 50%"
#   c.Term.grace_minutes = 15
#   c.Term.lms_columns = {"canvas": {"hw01": "Homework 1 (48213)"},
#                         "moodle": {"hw01": "Assignment: Homework 1 (Real)"}}
#   c.Term.formgrader_url = "http://localhost:8888/formgrader"
c.Term.due_dates = {}
c.Term.late_policy = "none"
