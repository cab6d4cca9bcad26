"""Write citations as a list of list items, as WAI-ARIA requires.

Docutils (0.21) writes a bibliography as ``<div role="list">`` holding one
``<div role="doc-biblioentry">`` per work. DPUB-ARIA 1.1 deprecated
``doc-biblioentry`` and no longer counts it as a list item, so a list of them is
a list without items: axe-core reports ``aria-required-children`` (critical) on
every page with a bibliography, and a screen reader announces an empty list.
This translator gives each entry the role ``listitem`` instead, the replacement
DPUB-ARIA names. It is registered before pydata-sphinx-theme's, which wraps
whatever HTML translator is registered, so both apply.
"""

from sphinx.writers.html5 import HTML5Translator

# The builders whose pages have this layout.
BUILDERS = ("html", "dirhtml", "singlehtml")


class AccessibleHTML5Translator(HTML5Translator):
    """Sphinx's HTML5 translator, with citations as list items."""

    def visit_citation(self, node):
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(
            self.starttag(node, "div", classes=[node.tagname], role="listitem")
        )


def setup(app):
    for builder in BUILDERS:
        app.set_translator(builder, AccessibleHTML5Translator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
