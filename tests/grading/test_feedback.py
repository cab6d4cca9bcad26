from nbformat.v4 import new_code_cell, new_notebook

from course_tools.grading import HideHiddenTests


def _cell(source, *, grade=True, solution=False, error=None):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": grade, "solution": solution}
    if error:
        cell.outputs = [
            {
                "output_type": "error",
                "ename": "AssertionError",
                "evalue": error,
                "traceback": ["----> 3 assert secret_check(x)", "AssertionError"],
            }
        ]
    return cell


def _run(*cells):
    nb, _ = HideHiddenTests().preprocess(new_notebook(cells=list(cells)), {})
    return nb.cells


def test_hidden_region_is_replaced_by_a_note():
    (cell,) = _run(
        _cell("public()\n### BEGIN HIDDEN TESTS\nsecret_check(x)\n### END HIDDEN TESTS")
    )
    assert cell.source == "public()\n# Hidden tests ran here; they are not shown."


def test_test_cell_tracebacks_are_cut_to_the_message():
    (cell,) = _run(_cell("f()", error="expected 6,172 rows"))
    assert cell.outputs[0]["traceback"] == ["AssertionError: expected 6,172 rows"]
    (cell,) = _run(_cell("f()", error="x" * 2000))
    assert len(cell.outputs[0]["evalue"]) == 500


def test_answer_cells_and_manual_cells_are_left_alone():
    answer = _cell(
        "### BEGIN HIDDEN TESTS\nmine", grade=False, solution=True, error="e"
    )
    manual = _cell("### BEGIN HIDDEN TESTS\nmine", grade=True, solution=True)
    out = _run(answer, manual)
    assert [c.source for c in out] == [answer.source, manual.source]
    assert out[0].outputs[0]["traceback"][0].startswith("---->")
