"""Site templates come from pull requests: they are rendered sandboxed and can never run code."""

from __future__ import annotations

import pytest

from tests.conftest import page, run_cli, write_tree, site_files

PAYLOADS = [
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch MARK') }}",
    "{{ cycler.__init__.__globals__.os.system('touch MARK') }}",
    "{{ lipsum.__globals__['os'].popen('touch MARK').read() }}",
    "{% extends 'base.html' %}{% block article %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_site_template_cannot_run_code(tmp_path, payload):
    mark = tmp_path / "PWNED"
    root = write_tree(tmp_path / "src", site_files({"a.md": page("A", "Body\n")}))
    write_tree(root, {"templates/article.html": payload.replace("MARK", str(mark))})
    result = run_cli("build", "--root", str(root), "--no-search")
    assert not mark.exists()
    assert result.status == 1
    assert "templates/article.html:1:1: error[DB702]" in result.stderr
    assert "is unsafe" in result.stderr
    assert not (root / "site").exists()


def test_a_safe_site_template_still_overrides_the_layout(tmp_path):
    root = write_tree(tmp_path / "src", site_files({"a.md": page("A", "Body\n")}))
    write_tree(root, {"templates/article.html": "{% extends 'base.html' %}{% block article %}<p>CUSTOM {{ page.title|upper }}</p>{% endblock %}"})
    result = run_cli("build", "--root", str(root), "--no-search")
    assert result.status == 0, result.stderr
    assert "CUSTOM A" in (root / "site/en/a/index.html").read_text("utf-8")
