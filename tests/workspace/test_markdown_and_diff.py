"""The core's text machinery: safe Markdown with anchored headings, and a readable diff."""

import re

import pytest

from workspace.diff import diff_texts
from workspace.markdown import render_markdown

# Rendering runs the apps' post-processors; the glossary's reads its (cached) term list.
pytestmark = pytest.mark.django_db


def test_markdown_renders_structure_and_anchors_headings():
    html = render_markdown(
        "# Ziele\n\n- eins\n- zwei\n\n## Ziele\n\n**fett** [Link](https://example.org)"
    )
    assert '<h2 id="abschnitt-ziele">Ziele</h2>' in html
    assert '<h3 id="abschnitt-ziele-2">Ziele</h3>' in html
    assert "<li>eins</li>" in html and "<strong>fett</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_markdown_never_lets_html_or_script_urls_through():
    html = render_markdown(
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) "
        "[b](data:text/html,<script>alert(1)</script>) ![c](javascript:alert(1))"
    )
    assert "<script" not in html and "<img" not in html
    assert not re.search(r"<[^>]*\bon\w+=", html)  # no event handler inside any tag
    assert 'href="javascript' not in html and 'href="data' not in html


def test_the_page_keeps_its_only_h1():
    assert "<h1" not in render_markdown("# Eins\n\n# Zwei", top_heading=2)
    assert render_markdown("# Eins", top_heading=3).startswith("<h3")


def test_diff_marks_words_inside_a_changed_line():
    diff = diff_texts("Die Stadt plant.\nZweite Zeile", "Die Stadt plant gemeinsam.\nZweite Zeile")
    first = diff.rows[0]
    assert first.kind == "changed"
    assert [(s.kind, s.text) for s in first.segments] == [
        ("equal", "Die Stadt plant"),
        ("insert", " gemeinsam"),
        ("equal", "."),
    ]
    assert (diff.words_added, diff.words_removed) == (1, 0)


def test_diff_folds_long_unchanged_stretches():
    old = "\n".join(f"Zeile {i}" for i in range(100))
    new = old.replace("Zeile 50", "Zeile fünfzig")
    diff = diff_texts(old, new)
    gaps = [row for row in diff.rows if row.kind == "gap"]
    assert [gap.skipped for gap in gaps] == [47, 46]
    assert diff.words_added == 1 and diff.words_removed == 1


def test_identical_texts_are_unchanged():
    assert diff_texts("a\nb", "a\nb").unchanged
    assert not diff_texts("a", "b").unchanged


def test_diff_of_two_20_kb_texts_finds_the_few_changed_words():
    words = [f"Wort{i}" for i in range(3000)]
    old = "\n".join(" ".join(words[i : i + 10]) for i in range(0, 3000, 10))
    new = old.replace("Wort15 ", "Wort15 neu ").replace("Wort2990", "Ende")
    assert len(old) > 20_000
    diff = diff_texts(old, new)  # how fast: `make bench`
    assert len([row for row in diff.rows if row.kind == "changed"]) == 2
    assert diff.words_added == 2 and diff.words_removed == 1


def test_apps_refine_rendered_html_through_post_processors():
    from workspace.markdown import register_post_processor, unregister_post_processor

    def shout(html: str) -> str:
        return html.replace("leise", "LAUT")

    register_post_processor(shout, order=999)
    register_post_processor(shout, order=999)  # registering twice runs it once
    try:
        assert render_markdown("ganz leise") == "<p>ganz LAUT</p>\n"
        assert render_markdown("ganz leise", post_process=False) == "<p>ganz leise</p>\n"
        assert render_markdown("") == ""
    finally:
        unregister_post_processor(shout)
    assert render_markdown("ganz leise") == "<p>ganz leise</p>\n"
