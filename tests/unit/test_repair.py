"""Repair of translator-broken Liquid: data-driven cases, the French corpus, properties."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.core import codes
from builder.core.diagnostics import Severity
from builder.i18n.repair import Repair, repair_data_text, repair_text, repair_translation, repair_with_doubts
from tests.conftest import CORPUS

CASES = Path(__file__).resolve().parent.parent / "cases" / "repairs"


def _cases() -> list:
    out = []
    for path in sorted(CASES.glob("*.yml")):
        for i, case in enumerate(yaml.safe_load(path.read_text("utf-8"))):
            name = case.get("name") or case["translated"][:40]
            out.append(pytest.param(case, id=f"{path.stem}:{i}:{name}"))
    return out


@pytest.mark.parametrize("case", _cases())
def test_case(case):
    text, repairs, doubts = repair_with_doubts(case["translated"], case.get("english"), case["lang"])
    assert [[d.line, d.text] for d in doubts] == case.get("doubts", []), "tags left for English to replace"
    assert repair_text(case["translated"], case.get("english"), case["lang"]) == (text, repairs)
    assert text == case["expected"]
    assert [[r.line, r.before, r.after] for r in repairs] == [row[:3] for row in case["repairs"]]
    for row, repair in zip(case["repairs"], repairs):
        if len(row) > 3:
            assert repair.how == row[3], repair
    again, more = repair_text(text, case.get("english"), case["lang"])
    assert (again, more) == (text, []), "repairing twice changes nothing"


def test_there_are_enough_french_cases():
    french = [c for c in _cases() if c.values[0]["lang"].startswith("fr")]
    assert len(french) >= 15


def test_repair_translation_reports_one_warning_per_repair():
    source = SimpleNamespace(text="Titre\n\nA {% données variables.x.y %} et { % endif % }", path="fr/content/a.md",
                             key="body")
    english = SimpleNamespace(text="Title", path="content/a.md", key="body")
    text, diags = repair_translation(source, english, SimpleNamespace(code="fr"))
    assert text == "Titre\n\nA {% data variables.x.y %} et {% endif %}"
    assert [d.code for d in diags] == [codes.TRANSLATION_REPAIRED] * 2
    assert all(d.severity is Severity.WARNING for d in diags)
    first = diags[0]
    assert first.message == "repaired Liquid: '{% données variables.x.y %}' -> '{% data variables.x.y %}'"
    loc = first.location
    assert (loc.path, loc.line, loc.col, loc.length) == ("fr/content/a.md", 3, 3, len("{% données variables.x.y %}"))
    assert loc.source_line == "A {% données variables.x.y %} et { % endif % }"
    assert diags[1].location.col == 34


def test_repair_translation_of_a_frontmatter_value_and_without_english():
    source = SimpleNamespace(text="À propos de {% données variables.product.x %}", path="fr/content/b.md", key="title")
    text, diags = repair_translation(source, None, SimpleNamespace(code="fr"))
    assert text == "À propos de {% data variables.product.x %}"
    assert diags[0].location.line == 1 and diags[0].location.col == 13
    clean = SimpleNamespace(text="Rien", path="x", key="intro")
    assert repair_translation(clean, None, SimpleNamespace(code="fr")) == ("Rien", [])


def test_repair_translation_reports_a_doubt_and_data_falls_back_whole():
    source = SimpleNamespace(text="Titre\n\nBonjour{else %} !", path="fr/content/a.md", key="body")
    english = SimpleNamespace(text="Title\n\nHello!", path="content/a.md", key="body")
    text, diags = repair_translation(source, english, SimpleNamespace(code="fr"))
    assert text == source.text
    assert [d.code for d in diags] == [codes.TRANSLATION_REPAIR_UNCERTAIN]
    loc = diags[0].location
    assert (loc.path, loc.line, loc.col, loc.length, loc.source_line) == ("fr/content/a.md", 3, 8, 8, "Bonjour{else %} !")
    assert "'{else %}' looks like a broken Liquid tag ('{% else %}'?)" in diags[0].message
    lang = SimpleNamespace(code="pt")
    assert repair_data_text("Nenhum {% %} bruto.", "No raw.", "pt/data/reusables/x.md", lang) == "No raw."
    assert repair_data_text("{% %} bruto{{ a }}{% endraw %}", "{% raw %}{{ a }}{% endraw %}", "x", lang) == \
        "{% raw %}{{ a }}{% endraw %}"


def test_repair_data_text():
    lang = SimpleNamespace(code="es")
    assert repair_data_text("{% datos variables.a.b %}", None, "es-es/data/reusables/x.md", lang) == \
        "{% data variables.a.b %}"
    assert repair_data_text("Sin Liquid", "No Liquid", "es-es/data/variables/x.yml", lang) == "Sin Liquid"


def test_repair_is_a_frozen_dataclass():
    r = Repair(1, "a", "b", "table")
    with pytest.raises(AttributeError):
        r.line = 2  # type: ignore[misc]


# ---------------------------------------------------------------- the French corpus


def _body(text: str) -> str:
    """The text after the frontmatter, with the frontmatter lines kept blank (line numbers kept)."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            stop = text.find("\n", end + 1)
            stop = len(text) if stop == -1 else stop + 1
            return "\n" * text[:stop].count("\n") + text[stop:]
    return text


def _docs_environment():
    """python-liquid's default Environment with the GitHub Docs tags as parse-only stubs."""
    import liquid
    from liquid import Node, Tag
    from liquid.parser import get_parser
    from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

    class Stub(Node):
        def render_to_output(self, context, buffer):
            return 0

    def inline(tag_name):
        class Inline(Tag):
            name = tag_name
            block = False

            def parse(self, stream):
                token = stream.current  # the parser moves past the tag's last token
                if stream.peek.kind == TOKEN_EXPRESSION:
                    next(stream)
                return Stub(token)
        return Inline

    def block(tag_name, ends, branches=()):
        class Block(Tag):
            name = tag_name
            end = ends[0]

            def parse(self, stream):
                token = stream.current
                parse_block = get_parser(self.env).parse_block
                while True:
                    next(stream)  # past the tag
                    if stream.current.kind == TOKEN_EXPRESSION:
                        next(stream)
                    parse_block(stream, (*ends, *branches))
                    if stream.current.kind == TOKEN_TAG and stream.current.value in branches:
                        continue
                    if not (stream.current.kind == TOKEN_TAG and stream.current.value in ends):
                        raise liquid.exceptions.LiquidSyntaxError(f"{tag_name} never closed", token=token)
                    return Stub(token)
        return Block

    env = liquid.Environment()
    for name in ("data", "indented_data_reference", "octicon"):
        env.add_tag(inline(name))
    env.add_tag(block("ifversion", ("endifversion", "endif"), ("elsif", "else")))
    for name in ("note", "tip", "warning", "danger"):
        env.add_tag(block(name, ("end" + name,)))
    return env


def _parses(env, text: str) -> bool:
    try:
        env.parse(text)
    except Exception:  # noqa: BLE001 - any tokenizer or parser error counts
        return False
    return True


def _french_pages():
    """(path, translated body, English body) for every French page of the corpus with an English page."""
    root = CORPUS / "translations" / "fr-FR" / "content"
    if not root.is_dir():
        pytest.skip("the French corpus is not present")
    for path in sorted(root.rglob("*.md")):
        english_path = CORPUS / "content" / path.relative_to(root)
        if english_path.is_file():
            yield path, _body(path.read_text("utf-8")), _body(english_path.read_text("utf-8"))


@pytest.mark.corpus
def test_french_corpus():
    env = _docs_environment()
    files = before = after = changed = count = 0
    for path, translated, english in _french_pages():
        files += 1
        repaired, repairs = repair_text(translated, english, "fr")
        before += _parses(env, translated)
        after += _parses(env, repaired)
        changed += bool(repairs)
        count += len(repairs)
        assert repair_text(repaired, english, "fr") == (repaired, []), f"not idempotent: {path}"
        assert repaired.count("\n") == translated.count("\n") or any("\n" in r.before + r.after for r in repairs)
    print(f"\nFrench corpus: {files} files, {changed} repaired ({count} repairs); "
          f"parse OK before {before}, after {after}")
    assert files > 0
    assert after >= before


# Deterministic damage of the kinds translators do, each cycling through its variants.
_DAMAGE = [
    (r"\{% data (variables\.[^ %]+) %\}",
     [r"{% données \1 %}", r"{% \1 %}", r"{% Data \1 %}", r"{% data.\1 %}", r"{{% data \1 %}}", r"%{% data \1 %}"]),
    (r"\{% data (reusables\.[^ %]+) %\}", [r"{% donnees \1 %}", r"{% \1 %}", r"{% Data \1 %}"]),
    (r"\{% endif %\}", ["{ % endif % }", "{% endifen %}", "{% Endif %}", "{% endif _%}", "{%% endif %%}", "{% finsi %}",
                         "{endif %}"]),
    (r"\{% else %\}", ["{% sinon %}", "{% Else %}", "{ % else % }", "{else %}"]),
    (r"\{% (ifversion|elsif) ([^%]*?) or ([^%]*?) %\}", [r"{% \1 \2 ou \3 %}"]),
    (r"\{% note %\}", ["{% remarque %}"]),
]


def _damage(text: str) -> str:
    import itertools
    import re

    for pattern, variants in _DAMAGE:
        cycle = itertools.cycle(variants)
        text = re.sub(pattern, lambda m: m.expand(next(cycle)), text)
    return text


@pytest.mark.corpus
def test_french_corpus_damaged_and_repaired():
    """Break every French page the way translators do; the repair gives the page back exactly,
    except where a damaged tag is one only English could confirm and English has no such tag (an
    older translation's variable): that page is shown in English (a doubt)."""
    env = _docs_environment()
    files = damaged = repaired_ok = doubted = 0
    for path, translated, english in _french_pages():
        files += 1
        broken = _damage(translated)
        damaged += broken != translated
        repaired, _, doubts = repair_with_doubts(broken, english, "fr")
        if doubts:
            assert all(d.meant and d.meant not in english for d in doubts), (path, doubts)
            doubted += 1
            continue
        assert repaired == translated, path
        repaired_ok += _parses(env, repaired)
    print(f"\nFrench corpus, damaged: {damaged} of {files} files damaged, {damaged - doubted} restored, "
          f"{doubted} shown in English; {repaired_ok} parse")
    assert damaged > files // 2
    assert doubted <= files // 5


@pytest.mark.corpus
def test_french_corpus_data():
    root = CORPUS / "translations" / "fr-FR" / "data" / "reusables"
    if not root.is_dir():
        pytest.skip("the French corpus is not present")
    for path in sorted(root.rglob("*.md")):
        english_path = CORPUS / "data" / "reusables" / path.relative_to(root)
        english = english_path.read_text("utf-8") if english_path.is_file() else None
        repaired, _ = repair_text(path.read_text("utf-8"), english, "fr")
        assert repair_text(repaired, english, "fr") == (repaired, [])


# ---------------------------------------------------------------- properties

_PLAIN = st.text(st.characters(blacklist_characters="{%％", blacklist_categories=("Cs",)), max_size=200)
_TAGS = st.sampled_from([
    "{% data variables.product.prodname_dotcom %}", "{% ifversion fpt or ghec %}", "{% else %}", "{% endif %}",
    "{%- elsif ghes > 3.4 -%}", "{% octicon \"gear\" aria-label=\"x\" %}", "{% note %}", "{% endnote %}",
    "{% raw %}", "{% endraw %}", "{{ page.title }}", "{% data reusables.a.b-c %}", "{%- endif %}",
    "{% webui %}", "{% endwebui %}", "{% windows %}", "{% endwindows %}", "{% rowheaders %}", "{% prompt %}",
])
_LANGS = st.sampled_from(["fr", "es", "ja", "pt", "de", "zh", "ru", "ko", "xx"])


@settings(max_examples=200, deadline=None)
@given(_PLAIN, _LANGS)
def test_text_without_liquid_is_unchanged(text, lang):
    assert repair_text(text, None, lang) == (text, [])
    assert repair_text(text, text, lang) == (text, [])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TAGS, _PLAIN), max_size=12), _LANGS)
def test_english_repaired_against_itself_is_unchanged(parts, lang):
    english = "".join(tag + text for tag, text in parts)
    assert repair_text(english, english, lang) == (english, [])


_BROKEN = st.sampled_from([
    "{ % endif % }", "{% données variables.x.y %}", "{{% endif %}}", "{% sinon %}", "{% ifversion fpt ou ghec %}",
    "{% Endif %}", "{% variables.a.b %}", "{% data variables.produit.é %}", "{% autre %}", "{% ifversion ghes}",
    "{%– endif –%}", "{%% else %%}", "{% data variables.a.b %}}", "```\n", "{% raw %}", "{% endraw %}",
    "%{% data variables.x.y %}", "{else %}", "{ endif %}", "{% %} bruto", "{% %} de dados reusables.a.b %}",
])
_NOISE = st.text(st.sampled_from(list("ab {}%-\n`")), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(_TAGS, _BROKEN), _NOISE), max_size=10),
       st.one_of(st.none(), st.lists(st.tuples(_TAGS, _PLAIN), max_size=10)), _LANGS)
def test_repair_is_idempotent_and_only_touches_tags(parts, english_parts, lang):
    translated = "".join(tag + text for tag, text in parts)
    english = None if english_parts is None else "".join(tag + text for tag, text in english_parts)
    repaired, repairs = repair_text(translated, english, lang)
    assert repair_text(repaired, english, lang) == (repaired, [])
    lines = translated.split("\n")
    for r in repairs:
        assert r.before in "\n".join(lines[r.line - 1:]) and r.how in ("aligned", "table", "universal")


# French damage to the tool, platform, rowheaders and prompt tags: tag -> (opener forms, closer forms).
_BLOCK_DAMAGE = {
    "webui": (["{% Webui %}", "{% WebUI %}"], ["{% fin de webui %}", "{% Fin du webui %}", "{% end webui %}"]),
    "cli": (["{% CLI %}"], ["{% fin de cli %}", "{% fincli %}", "{% End-cli %}"]),
    "windows": (["{% fenêtres %}", "{% Windows %}"], ["{% fin de fenêtres %}", "{% fin de windows %}"]),
    "eclipse": (["{% éclipse %}", "{% Eclipse %}"], ["{% fin d'éclipse %}", "{% fin de éclipse %}"]),
    "rowheaders": (["{% en-têtes de ligne %}"], ["{% fin des en-têtes de ligne %}", "{% Endrowheaders %}"]),
    "desktop": (["{% bureau %}"], ["{% fin de bureau %}"]),
    "prompt": (["{% invite %}"], ["{% fin de l'invite %}", "{% Endprompt %}"]),
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(_BLOCK_DAMAGE)), st.integers(0, 5), st.integers(0, 5), _PLAIN),
                min_size=1, max_size=8),
       st.booleans())
def test_french_forms_of_the_block_tags_are_repaired(blocks, with_english):
    english = translated = ""
    damaged = 0
    for tag, i, j, text in blocks:
        openers, closers = _BLOCK_DAMAGE[tag]
        opener, closer = openers[i % len(openers)], closers[j % len(closers)]
        english += f"{{% {tag} %}}\n{text}\n{{% end{tag} %}}\n"
        translated += f"{opener}\n{text}\n{closer}\n"
        damaged += (opener != f"{{% {tag} %}}") + (closer != f"{{% end{tag} %}}")
    repaired, repairs = repair_text(translated, english if with_english else None, "fr")
    assert repaired == english
    assert len(repairs) == damaged
