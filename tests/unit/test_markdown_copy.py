"""The Markdown copy format (builder/output/markdown_copy.py): link rewriting, one-line text,
llms.txt."""

from __future__ import annotations

from builder.output.markdown_copy import Entry, llms_full, llms_txt, markdown_path, page_markdown, rewrite_links, text_line

URLS = {"/a": "/en/enterprise-server@3.16/a", "/b#x": "/en/b#x"}
TITLES = {"/a": "Page [A]"}


def rewrite(text: str) -> str:
    return rewrite_links(text, URLS.get, TITLES.get)


def test_inline_reference_html_and_autotitle_links_are_rewritten():
    assert rewrite("See [it](/a) and [that](/b#x \"t\").") == (
        "See [it](/en/enterprise-server@3.16/a) and [that](/en/b#x \"t\").")
    assert rewrite("[AUTOTITLE](/a)") == "[Page \\[A\\]](/en/enterprise-server@3.16/a)"
    assert rewrite("[ref]: /a\n<a href=\"/a\">x</a>") == (
        "[ref]: /en/enterprise-server@3.16/a\n<a href=\"/en/enterprise-server@3.16/a\">x</a>")


def test_unknown_links_code_blocks_and_code_spans_stay_as_written():
    assert rewrite("[x](/broken) [AUTOTITLE](/b#x) `[y](/a)`") == "[x](/broken) [AUTOTITLE](/en/b#x) `[y](/a)`"
    fenced = "```md\n[y](/a)\n```\n[z](/a)"
    assert rewrite(fenced) == "```md\n[y](/a)\n```\n[z](/en/enterprise-server@3.16/a)"
    assert rewrite("~~~\n[y](/a)\n```\n[y](/a)\n~~~") == "~~~\n[y](/a)\n```\n[y](/a)\n~~~"


def test_frontmatter_text_is_one_line_of_text():
    assert text_line("a\nb\u2028c\x00d  e") == "a b cd e"
    assert text_line("# x") == "\\# x" and text_line("- x") == "\\- x" and text_line("1. x") == "1\\. x"
    assert text_line("[a](b) *c* <d>") == "\\[a\\](b) \\*c\\* \\<d\\>"


def test_page_markdown_and_llms_files():
    copy = page_markdown("T\nU", "Intro.", "\nBody.\n\n", [Entry("C", "/en/c", "About c")], ["Notice."])
    assert copy == "# T U\n\nIntro.\n\nNotice.\n\nBody.\n\n- [C](/en/c): About c\n"
    text = llms_txt("Site\n# x", "Sum\nmary", [("Prod", [Entry("P\n## Q", "/en/p/index.md", "")]), ("Empty", [])])
    assert text == "# Site # x\n\n> Sum mary\n\n## Prod\n\n- [P ## Q](/en/p/index.md)\n"
    assert llms_full(["# A\n", "", "# B"]) == "# A\n\n# B\n"
    assert markdown_path("en/x/index.html") == "en/x/index.md"
