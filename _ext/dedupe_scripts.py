"""Drop repeated <script> tags from every HTML page.

Sphinx 7.4 lists an inline script that an extension adds after the builder has
started (sphinx-thebe's ``const THEBE_JS_URL = ...``) twice: once with filename
None and again, in ``prepare_writing``, with filename ''. The second copy
redeclares a ``const`` and the browser reports a SyntaxError on every page.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
