"""Synthetic corpora for bench/run.py.

Every word of prose is made up (pseudo-words built from syllables by a seeded RNG); nothing is
copied from GitHub Docs. The *shape* of the GitHub-like corpus (how many pages carry version
conditions, how many `{% data %}` tags a page has, how reusables are shared, how frontmatter
`versions` are spread) was calibrated by counting tags in the GitHub Docs slice under
/work/shared/corpus/github-docs and then toned down to the averages the benchmark brief asks for.

Two generators:

* `write_plain(root, n)` - n plain Markdown pages (about 4.6 KB each) written three ways: a
  one-version, one-language docs-builder site, a MkDocs project and a Hugo site, with the same
  Markdown bodies.
* `write_github_like(root, n)` - a GitHub-Docs-like docs-builder site: fpt, ghec and six ghes
  releases, Liquid `{% ifversion %}` / `{% data %}` at a realistic density, a pool of reusables
  (5% as many as pages) shared with a Zipf-like skew.

Both return a `Corpus` describing what was written (pages, expected outputs per version
selection, which pages use which reusable) so the benchmark can check docs-builder's counts.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

# Corpora are cached under bench/out/corpora; the cache key includes a digest of this file.
GENERATOR_VERSION = __import__("hashlib").sha1(Path(__file__).read_bytes()).hexdigest()[:12]

SYLLABLES = (
    "ka lo mi ter van dor pel su ri qua ne bal tor fin ex zu mar gol pi sen ad ul bro cy dex fa "
    "gri hol jun kel mo nar os plu ron sta tek um vor wil yan zen ar bel cor dim el fro gan hep "
    "ist jor lum mer nox ob pra quin ros sol tam ur vex"
).split()

CODE_LANGS = ("python", "javascript", "yaml", "json", "ruby")

# ---------------------------------------------------------------------------------------------
# Versions of the GitHub-like site
# ---------------------------------------------------------------------------------------------

GHES_RELEASES = ("3.17", "3.16", "3.15", "3.14", "3.13", "3.12")
GHES_DEPRECATED = ("3.11", "3.10")
ALL_VERSIONS = ("fpt", "ghec") + tuple(f"ghes@{r}" for r in GHES_RELEASES)
# Output folder of each version (default plan has no segment).
VERSION_DIRS = {"fpt": "", "ghec": "enterprise-cloud@latest",
                **{f"ghes@{r}": f"enterprise-server@{r}" for r in GHES_RELEASES}}
# The --version argument that selects each version.
VERSION_ARGS = {"fpt": "fpt", "ghec": "ghec", **{f"ghes@{r}": f"enterprise-server@{r}" for r in GHES_RELEASES}}

VERSIONS_YML = """\
plans:
  - short: fpt
    name: free-pro-team
    title: Free, Pro, & Team
  - short: ghec
    name: enterprise-cloud
    title: Enterprise Cloud
  - short: ghes
    name: enterprise-server
    title: Enterprise Server
    releases: [{releases}]
    deprecated: [{deprecated}]
retired: [ghae]
""".format(
    releases=", ".join(f'"{r}"' for r in GHES_RELEASES),
    deprecated=", ".join(f'"{r}"' for r in GHES_DEPRECATED),
)

FEATURES = {
    "feat-alpha": {"fpt": "*", "ghec": "*", "ghes": ">=3.15"},
    "feat-beta": {"fpt": "*", "ghec": "*"},
    "feat-gamma": {"ghec": "*", "ghes": ">=3.13"},
    "feat-delta": {"fpt": "*", "ghec": "*", "ghes": ">=3.16"},
}


def _vkey(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def _range_ok(release: str, rng: str) -> bool:
    rng = rng.strip()
    if rng == "*":
        return True
    ok = True
    for part in rng.replace(">= ", ">=").replace("<= ", "<=").replace("> ", ">").replace("< ", "<").split():
        for op in (">=", "<=", ">", "<", "="):
            if part.startswith(op):
                a, b = _vkey(release), _vkey(part[len(op):])
                ok = ok and {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "=": a == b}[op]
                break
    return ok


def versions_of(spec: dict[str, str]) -> frozenset[str]:
    """The version ids a frontmatter `versions` mapping (plans only, or feature) applies to."""
    if "feature" in spec:
        return versions_of(FEATURES[spec["feature"]])
    out = set()
    for plan, rng in spec.items():
        if plan in ("fpt", "ghec"):
            out.add(plan)
        elif plan == "ghes":
            out.update(f"ghes@{r}" for r in GHES_RELEASES if _range_ok(r, rng))
    return frozenset(out)


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


class Words:
    def __init__(self, seed: int, vocab_size: int = 1800):
        self.rng = random.Random(seed)
        vocab: set[str] = set()
        while len(vocab) < vocab_size:
            n = self.rng.choice((1, 2, 2, 2, 3, 3, 4))
            vocab.add("".join(self.rng.choice(SYLLABLES) for _ in range(n)))
        self.vocab = sorted(vocab)
        # Prose draws its words by Zipf's law (s = 1), as natural text does: a 600-word page has
        # about 270 distinct words. GitHub Docs articles of that length have about 210 (measured
        # on the corpus slice in ../shared/corpus). Uniform draws gave 510, twice the distinct
        # words of a real page, and a search index's cost follows distinct words per page.
        self.ranked = self.vocab[:]
        self.rng.shuffle(self.ranked)
        self.cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.ranked))))

    def word(self) -> str:
        """A word drawn uniformly: for names (slugs, keys, identifiers in code)."""
        return self.rng.choice(self.vocab)

    def words(self, n: int) -> str:
        """`n` words of prose (Zipf's law)."""
        return " ".join(self.rng.choices(self.ranked, cum_weights=self.cum, k=n))

    def title(self, lo: int = 2, hi: int = 5) -> str:
        w = self.words(self.rng.randint(lo, hi))
        return w[0].upper() + w[1:]

    def sentence(self, lo: int = 7, hi: int = 17, decorate: bool = True) -> str:
        ws = self.rng.choices(self.ranked, cum_weights=self.cum, k=self.rng.randint(lo, hi))
        if decorate:
            r = self.rng.random()
            i = self.rng.randrange(1, len(ws))
            if r < 0.12:
                ws[i] = f"**{ws[i]}**"
            elif r < 0.24:
                ws[i] = f"`{ws[i]}`"
            elif r < 0.30:
                ws[i] = f"_{ws[i]}_"
        s = " ".join(ws)
        return s[0].upper() + s[1:] + self.rng.choice(".........?!")

    def paragraph(self, lo: int = 2, hi: int = 4) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def ext_link(self) -> str:
        return f"[{self.words(self.rng.randint(1, 3))}](https://example.com/{self.word()}/{self.word()})"

    def slugs(self, k: int) -> list[str]:
        """`k` distinct slugs, in the order drawn."""
        found: dict[str, None] = {}
        while len(found) < k:
            found[self.slug()] = None
        return list(found)

    def slug(self) -> str:
        return "-".join(self.word() for _ in range(self.rng.randint(2, 3)))

    def code(self, lang: str, lines: int) -> str:
        out = []
        for i in range(lines):
            a, b, c = self.word(), self.word(), self.word()
            if lang == "python":
                out.append(self.rng.choice((
                    f"def {a}_{b}({c}, limit=10):", f"    {a} = {b}.{c}({self.rng.randint(1, 99)})",
                    f"    return {a} + {self.rng.randint(1, 9)}", f"import {a}.{b} as {c}",
                    f"{a}_{b} = [{c} for {c} in range({self.rng.randint(2, 40)})]", f"print(f\"{a} {{{b}}}\")")))
            elif lang == "javascript":
                out.append(self.rng.choice((
                    f"const {a} = require('{b}');", f"function {a}({b}) {{ return {b}.{c}; }}",
                    f"let {a} = await {b}.{c}({self.rng.randint(1, 99)});", f"console.log('{a}', {b});",
                    f"export default {{ {a}: '{b}' }};")))
            elif lang == "yaml":
                out.append(self.rng.choice((f"{a}: {b}", f"  {a}: {self.rng.randint(1, 999)}",
                                            f"  - {a}-{b}", f"{a}_{b}: true", f"    {a}: '{b} {c}'")))
            elif lang == "json":
                out.append(f'  "{a}": "{b}-{c}",')
            elif lang == "ruby":
                out.append(self.rng.choice((f"def {a}({b})", f"  {a} = {b}.{c}", "end", f"puts \"{a} #{{{b}}}\"",
                                            f"require '{a}'")))
            else:  # shell
                out.append(self.rng.choice((
                    f"$ {a} {b} --{c} {self.rng.randint(1, 99)}", f"$ {a}-cli {b} ./{c}",
                    f"$ export {a.upper()}_{b.upper()}={c}", f"$ {a} {b} | grep {c}")))
        return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Plain Markdown bodies (shared by docs-builder, MkDocs and Hugo)
# ---------------------------------------------------------------------------------------------


def plain_blocks(w: Words) -> list[str]:
    """About 4.6 KB of Markdown: headings, paragraphs, lists, a table, two code blocks, links."""
    r = w.rng
    b: list[str] = [w.paragraph(3, 4)]
    b.append(f"## {w.title()}")
    b.append(w.paragraph(3, 4) + " See " + w.ext_link() + ".")
    b.append("\n".join(f"- {w.sentence(4, 10, decorate=False)}" for _ in range(r.randint(4, 5))))
    b.append(w.paragraph(2, 3))
    b.append(f"## {w.title()}")
    b.append(w.paragraph(3, 4))
    cols = [w.title(1, 2) for _ in range(3)]
    rows = ["| " + " | ".join(cols) + " |", "| --- | --- | --- |"]
    for _ in range(r.randint(4, 6)):
        rows.append(f"| `{w.word()}` | {w.words(r.randint(2, 4))} | {w.words(r.randint(3, 7))} |")
    b.append("\n".join(rows))
    lang = r.choice(CODE_LANGS)
    b.append(f"```{lang}\n{w.code(lang, r.randint(6, 9))}\n```")
    b.append(f"### {w.title()}")
    b.append(w.paragraph(2, 4))
    b.append("\n".join(f"{i + 1}. {w.sentence(5, 12)}" for i in range(r.randint(3, 4))))
    b.append(f"```shell\n{w.code('shell', r.randint(3, 5))}\n```")
    b.append(f"## {w.title()}")
    b.append(w.paragraph(2, 4) + " Read " + w.ext_link() + " for more.")
    b.append("\n".join(f"- {w.sentence(4, 10, decorate=False)}" for _ in range(r.randint(3, 4))))
    b.append(w.paragraph(2, 3))
    b.append(f"## {w.title()}")
    b.append(w.paragraph(4, 5))
    return b


@dataclass
class Corpus:
    kind: str
    root: Path
    pages: int
    """Source pages (home, products/sections, categories and articles)."""
    page_versions: dict[str, frozenset[str]] = field(default_factory=dict)
    """rel (under content/) -> version ids (GitHub-like only; plain: {'fpt'})."""
    reusable_users: dict[str, list[str]] = field(default_factory=dict)
    """reusable path (under data/reusables, no .md) -> page rels that use it."""
    article_url: str = ""
    """URL path of one article in the default version, such as /en/p00-x/c00-y/z."""
    avg_page_bytes: int = 0
    mkdocs: Path | None = None
    hugo: Path | None = None
    languages: list[str] = field(default_factory=lambda: ["en"])
    """Language codes built (English first); a translated corpus has two."""
    translated_pages: int = 0
    translated_reusables: int = 0

    def expected_outputs(self, versions: list[str] | None = None, languages: int | None = None) -> int:
        """Page x version x language outputs for a selection of version ids (None: all) and a
        number of languages (None: all; every page is built in every language, untranslated
        pages in English)."""
        sel = set(versions) if versions else None
        per_lang = sum(len(v if sel is None else (v & sel)) for v in self.page_versions.values())
        return per_lang * (len(self.languages) if languages is None else languages)

    def to_json(self, base: Path) -> dict:
        """Paths are stored relative to `base` (the folder holding corpus.json)."""
        def rel(p: Path | None) -> str | None:
            return None if p is None else p.resolve().relative_to(base.resolve()).as_posix()

        return {"kind": self.kind, "root": rel(self.root), "pages": self.pages, "article_url": self.article_url,
                "avg_page_bytes": self.avg_page_bytes,
                "page_versions": {k: sorted(v) for k, v in self.page_versions.items()},
                "reusable_users": self.reusable_users, "mkdocs": rel(self.mkdocs), "hugo": rel(self.hugo),
                "languages": self.languages, "translated_pages": self.translated_pages,
                "translated_reusables": self.translated_reusables}

    @classmethod
    def from_json(cls, base: Path, d: dict) -> "Corpus":
        def path(p: str | None) -> Path | None:
            return None if p is None else (base / p).resolve()

        return cls(d["kind"], path(d["root"]), d["pages"], {k: frozenset(v) for k, v in d["page_versions"].items()},
                   d["reusable_users"], d["article_url"], d["avg_page_bytes"], path(d["mkdocs"]), path(d["hugo"]),
                   d.get("languages", ["en"]), d.get("translated_pages", 0), d.get("translated_reusables", 0))


def _cached(root: Path, key: dict) -> Corpus | None:
    stamp = root / "corpus.json"
    if not stamp.is_file():
        return None
    try:
        d = json.loads(stamp.read_text())
    except ValueError:
        return None
    if d.get("key") != key:
        return None
    return Corpus.from_json(root, d["corpus"])


def _stamp(root: Path, key: dict, corpus: Corpus) -> None:
    (root / "corpus.json").write_text(json.dumps({"key": key, "corpus": corpus.to_json(root)}))


def _write(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def _q(s: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Plain corpus: docs-builder + MkDocs + Hugo
# ---------------------------------------------------------------------------------------------


def write_plain(root: Path, n: int, seed: int = 1) -> Corpus:
    """`n` pages: home + sections of up to 110 articles (1,111 = 1 + 10 x (1 + 110))."""
    key = {"gen": GENERATOR_VERSION, "kind": "plain", "n": n, "seed": seed}
    cached = _cached(root, key)
    if cached:
        return cached
    if root.exists():
        shutil.rmtree(root)
    w = Words(seed)
    db, mk, hu = root / "docs-builder", root / "mkdocs", root / "hugo"
    _write(db / "data/versions.yml", "plans:\n  - short: fpt\n    name: free-pro-team\n    title: Docs\n")
    _write(db / "data/languages.yml", "en: {name: English}\n")
    _write(mk / "mkdocs.yml", "site_name: Bench\nuse_directory_urls: true\n")
    _write(hu / "hugo.toml", 'baseURL = "http://example.org/"\ntitle = "Bench"\n'
                             'disableKinds = ["taxonomy", "term"]\n')
    layout = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
              "<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n")
    _write(hu / "layouts/_default/single.html", layout)
    _write(hu / "layouts/_default/list.html", layout)

    # Tree
    sections: list[tuple[str, list[str]]] = []
    remaining = n - 1
    while remaining > 1:
        sec = f"s{len(sections):02d}-{w.word()}"
        remaining -= 1
        k = min(110, remaining)
        sections.append((sec, w.slugs(k)))
        remaining -= k
    total_bytes = 0
    count = 0
    pv: dict[str, frozenset[str]] = {}

    def page(rel_db: str, rel_mk: str, rel_hu: str, title: str, body: str, children: list[str] | None):
        nonlocal total_bytes, count
        fm = f"---\ntitle: {_q(title)}\nversions:\n  fpt: '*'\n"
        if children is not None:
            fm += "children:\n" + "".join(f"  - /{c}\n" for c in children)
        fm += "---\n\n"
        total_bytes += _write(db / "content" / rel_db, fm + body)
        _write(mk / "docs" / rel_mk, f"---\ntitle: {_q(title)}\n---\n\n" + body)
        _write(hu / "content" / rel_hu, f"---\ntitle: {_q(title)}\n---\n\n" + body)
        pv[rel_db] = frozenset({"fpt"})
        count += 1

    page("index.md", "index.md", "_index.md", "Bench docs", w.paragraph(2, 3) + "\n", [s for s, _ in sections])
    first_article = ""
    for sec, slugs in sections:
        page(f"{sec}/index.md", f"{sec}/index.md", f"{sec}/_index.md", w.title(), w.paragraph(2, 3) + "\n", slugs)
        for slug in slugs:
            body = "\n\n".join(plain_blocks(w)) + "\n"
            page(f"{sec}/{slug}.md", f"{sec}/{slug}.md", f"{sec}/{slug}.md", w.title(), body, None)
            first_article = first_article or f"/en/{sec}/{slug}"
    corpus = Corpus("plain", db, count, pv, {}, first_article, total_bytes // max(count, 1), mk, hu)
    _stamp(root, key, corpus)
    return corpus


# ---------------------------------------------------------------------------------------------
# GitHub-like corpus
# ---------------------------------------------------------------------------------------------

# (weight, frontmatter versions). Calibrated on the GitHub Docs slice: most pages are on every
# plan; some start at a ghes release; some are dotcom-only; a few are enterprise-only or feature-gated.
FM_VERSIONS = (
    (60, {"fpt": "*", "ghec": "*", "ghes": "*"}),
    (4, {"fpt": "*", "ghec": "*", "ghes": ">=3.13"}),
    (4, {"fpt": "*", "ghec": "*", "ghes": ">= 3.14"}),
    (4, {"fpt": "*", "ghec": "*", "ghes": ">=3.16"}),
    (12, {"fpt": "*", "ghec": "*"}),
    (6, {"ghec": "*", "ghes": "*"}),
    (3, {"ghes": "*"}),
    (3, {"ghes": ">=3.14"}),
    (2, {"feature": "feat-alpha"}),
    (2, {"feature": "feat-delta"}),
)

# (weight, if-condition, elsif-condition or None). Mostly plan-level, some release comparisons.
CONDITIONS = (
    (22, "ghes", None),
    (20, "fpt or ghec", "ghes"),
    (8, "fpt", "ghec"),
    (6, "ghec", None),
    (8, "ghes > 3.14", "ghes"),
    (4, "ghes < 3.16", None),
    (4, "ghes >= 3.15", None),
    (4, "not fpt", None),
    (6, "fpt or ghec or ghes > 3.13", None),
    (3, "feat-alpha", None),
    (3, "feat-beta", None),
    (2, "feat-gamma", None),
    (2, "feat-delta", "ghes"),
)


def _pick(rng: random.Random, table):
    total = sum(t[0] for t in table)
    x = rng.uniform(0, total)
    for t in table:
        x -= t[0]
        if x <= 0:
            return t
    return table[-1]


def _insert_inline(rng: random.Random, text: str, snippet: str) -> str:
    """Put `snippet` between two words of one line of `text` (never at a line start)."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    toks = lines[i].split(" ")
    # Positions after the second word where no tag, link or code span is open.
    ok = []
    depth = 0
    for j, tok in enumerate(toks):
        depth += tok.count("{%") - tok.count("%}") + tok.count("[") - tok.count("]") + tok.count("(") - tok.count(")")
        if j >= 1 and depth == 0 and j + 1 < len(toks):
            ok.append(j + 1)
    toks.insert(rng.choice(ok) if ok else len(toks), snippet)
    lines[i] = " ".join(toks)
    return "\n".join(lines)


# Translations: another made-up language, word for word, tags and structure kept
FR_SYLLABLES = (
    "lé ou ain oir ette que ier ée çon eau gne mè ris tou bel pré vi cha rou lan det fê mon "
    "sai quo vré ble jo nè fou ga pla tré zé dou cri sé voi lu bri ché meu nou pi rè sou"
).split()

_PROTECTED = re.compile(r"```.*?```|\{%.*?%\}|`[^`\n]*`|\]\([^)]*\)|https?://\S+", re.S)
_WORD = re.compile(r"[A-Za-z]+")


class Translator:
    """Writes a made-up translation of the GitHub-like corpus: every made-up English word is
    replaced by its counterpart in another made-up vocabulary (accented syllables), while Liquid
    tags, code, link targets and the Markdown structure stay as they are (as a translator is meant
    to). A seeded RNG of its own picks what is translated, so the English files do not change."""

    page_share = 0.85
    """Share of pages translated (the home page always is); the others fall back to English."""
    reusable_share = 0.08
    """Share of reusables translated; the others fall back to English."""

    def __init__(self, seed: int, code: str):
        self.code = code
        self.name = {"fr": "French", "ja": "Japanese", "de": "German", "es": "Spanish"}.get(code, code.upper())
        self.rng = random.Random(f"{seed}-{code}")
        english = Words(seed).vocab
        fr: dict[str, None] = {}
        while len(fr) < len(english):
            fr["".join(self.rng.choice(FR_SYLLABLES) for _ in range(self.rng.choice((1, 2, 2, 3, 3))))] = None
        self.words = dict(zip(english, fr))
        self.pages: list[str] = []
        self.reusables: list[str] = []

    def _word(self, m: re.Match) -> str:
        w = m.group(0)
        t = self.words.get(w.lower())
        if t is None:
            return w
        return t[0].upper() + t[1:] if w[0].isupper() else t

    def text(self, text: str) -> str:
        out, pos = [], 0
        for m in _PROTECTED.finditer(text):
            out.append(_WORD.sub(self._word, text[pos:m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.append(_WORD.sub(self._word, text[pos:]))
        return "".join(out)

    def prop(self, line: str) -> str:
        """A frontmatter line: title and intro translated, the rest (versions, children) kept."""
        for key in ("title: ", "intro: "):
            if line.startswith(key):
                return key + self.text(line[len(key):])
        return line


def add_product_reusable(c: Corpus, root: Path, name: str, users: int) -> list[tuple[Path, str]]:
    """Write the reusable `data/reusables/<name>.md` under `root` (the corpus or a copy of it) and
    use it at the end of `users` articles of the largest product (every k-th in path order, so its
    categories and URL-hash parts all get some), the way GitHub Docs keeps most reusables inside
    their product (Packages: 168 of its 216 reusable uses are its own); the generator's reusables
    are spread over every product. Returns each article's path and its text before."""
    products: dict[str, list[str]] = {}
    for rel in c.page_versions:
        if "/" in rel and not rel.endswith("index.md"):
            products.setdefault(rel.split("/")[0], []).append(rel)
    articles = sorted(max(products.values(), key=len))
    chosen = articles[::max(1, len(articles) // users)][:users]
    reusable = root / "data" / "reusables" / f"{name}.md"
    reusable.parent.mkdir(parents=True, exist_ok=True)
    reusable.write_text("A sentence this product's articles share.\n")
    saved = []
    for rel in chosen:
        path = root / "content" / rel
        text = path.read_text()
        saved.append((path, text))
        path.write_text(text.rstrip("\n") + f"\n\n{{% data reusables.{name.replace('/', '.')} %}}\n")
    return saved


def write_github_like(root: Path, n: int, seed: int = 2, translation: str | None = None,
                      redirects: int = 0) -> Corpus:
    """`n` source pages: home, products (10 categories each), categories (up to 40 articles).

    `translation` (a language code such as "fr") also writes `translations/<code>/`: translated
    copies of most pages and a few reusables (see `Translator`); the English files are the same
    with or without it. `redirects` gives each article that many `redirect_from` entries (old
    paths of three kinds: `/articles/<slug>`, a renamed category, a renamed article), drawn with
    an RNG of their own (the rest of the corpus is the same with or without them)."""
    key = {"gen": GENERATOR_VERSION, "kind": "github-like", "n": n, "seed": seed, "translation": translation}
    if redirects:
        key["redirects"] = redirects
    moved = random.Random(f"{seed}-redirects")
    claimed: set[str] = set()

    def old_paths(rel: str) -> list[str]:
        prod, cat, slug = rel[:-3].split("/")
        kinds = [f"/articles/{slug}", f"/{prod}/old-{cat}/{slug}", f"/{prod}/{cat}/{slug}-{moved.choice(SYLLABLES)}"]
        found = []
        for i in range(redirects):
            path = kinds[i] if i < 3 else f"/{prod}/{cat}/{slug}-old-{i}"
            while path in claimed:
                path += f"-{moved.choice(SYLLABLES)}"
            claimed.add(path)
            found.append(path)
        return found
    cached = _cached(root, key)
    if cached:
        return cached
    if root.exists():
        shutil.rmtree(root)
    w = Words(seed)
    r = w.rng
    _write(root / "data/versions.yml", VERSIONS_YML)
    # A production URL, as a real site has: without one the build warns that sitemap.xml is left out.
    _write(root / "data/site.yml", "base_url: https://docs.example.com\n")
    languages = "en: {name: English}\n"
    tr = Translator(seed, translation) if translation else None
    if tr:
        languages += f"{translation}: {{name: {tr.name}, dir: translations/{translation}}}\n"
    _write(root / "data/languages.yml", languages)
    for name, spec in FEATURES.items():
        _write(root / f"data/features/{name}.yml",
               "versions:\n" + "".join(f"  {k}: {_q(v)}\n" for k, v in spec.items()))

    # Variables: three files; about 15% of keys are versioned (contain ifversion), as
    # GitHub's product_name / product_location are.
    variables: list[str] = []
    versioned_vars: list[str] = []
    for fname, nkeys in (("product", 60), ("enterprise", 25), ("actions", 25)):
        lines = [f"# synthetic variables ({fname})"]
        used: set[str] = set()
        for i in range(nkeys):
            k = f"{'prodname' if i % 2 == 0 else 'name'}_{w.word()}"
            while k in used:
                k = f"{k}_{i}"
            used.add(k)
            if i % 7 == 3:
                lines.append(f"{k}: >-\n  {{% ifversion ghes %}}{w.title(1, 2)} {w.word()}{{% elsif ghec %}}"
                             f"{w.title(1, 2)}{{% else %}}{w.title(1, 2)}.com{{% endif %}}")
                versioned_vars.append(f"variables.{fname}.{k}")
            else:
                lines.append(f"{k}: {_q(w.title(1, 3))}")
                variables.append(f"variables.{fname}.{k}")
        _write(root / f"data/variables/{fname}.yml", "\n".join(lines) + "\n")

    def var() -> str:
        v = r.choice(versioned_vars) if r.random() < 0.2 else r.choice(variables)
        return f"{{% data {v} %}}"

    # Reusables: 5% as many as pages, in groups of up to 20; ~35% contain a condition.
    n_reusables = max(5, round(n * 0.05))
    reusables: list[str] = []
    for i in range(n_reusables):
        name = f"g{i // 20:02d}-{w.word()}/{w.slug()}-{i}"
        text = w.paragraph(1, 3)
        if r.random() < 0.5:
            text = _insert_inline(r, text, var())
        if r.random() < 0.35:
            _w, cond, alt = _pick(r, CONDITIONS)
            inner = w.words(r.randint(3, 10))
            snippet = f"{{% ifversion {cond} %}}{inner}{{% else %}}{w.words(r.randint(2, 6))}{{% endif %}}" \
                if r.random() < 0.4 else f"{{% ifversion {cond} %}}{inner}{{% endif %}}"
            text = _insert_inline(r, text, snippet)
        _write(root / f"data/reusables/{name}.md", text + "\n")
        reusables.append(name)
        if tr and tr.rng.random() < tr.reusable_share:
            _write(root / f"translations/{translation}/data/reusables/{name}.md", tr.text(text) + "\n")
            tr.reusables.append(name)
    # Zipf-like popularity (s = 1) in a shuffled order, so a few reusables are everywhere and
    # the tail is used by a handful of pages, as in GitHub Docs.
    popularity = list(range(n_reusables))
    r.shuffle(popularity)
    reuse_weights = [1.0 / (popularity[i] + 1) for i in range(n_reusables)]

    # Tree: products of up to 10 categories of up to 40 articles.
    products: list[tuple[str, list[tuple[str, list[str]]]]] = []
    remaining = n - 1
    while remaining > 2:
        prod = f"p{len(products):02d}-{w.word()}"
        remaining -= 1
        cats: list[tuple[str, list[str]]] = []
        while len(cats) < 10 and remaining > 1:
            cat = f"c{len(cats):02d}-{w.word()}"
            remaining -= 1
            k = min(40, remaining)
            cats.append((cat, w.slugs(k)))
            remaining -= k
        products.append((prod, cats))

    # Article versions first (links must only point at pages present in every version of
    # the linking page: links go to articles on every plan).
    art_versions: dict[str, dict] = {}
    for prod, cats in products:
        for cat, slugs in cats:
            for slug in slugs:
                art_versions[f"{prod}/{cat}/{slug}.md"] = _pick(r, FM_VERSIONS)[1]
    everywhere = [rel for rel, v in art_versions.items() if versions_of(v) == frozenset(ALL_VERSIONS)]
    titles = {rel: w.title() for rel in art_versions}

    pv: dict[str, frozenset[str]] = {}
    users: dict[str, list[str]] = {}
    total_bytes = 0
    count = 0

    def emit(rel: str, title: str, versions: dict, body: str, children: list[str] | None, intro: str | None,
             redirect_from: list[str] | None = None):
        nonlocal total_bytes, count
        fm = [f"title: {_q(title)}"]
        if intro:
            fm.append(f"intro: {_q(intro)}")
        if redirect_from:
            fm.append("redirect_from:")
            fm += [f"  - {old}" for old in redirect_from]
        fm.append("versions:")
        fm += [f"  {k}: {_q(v)}" if k != "feature" else f"  feature: {v}" for k, v in versions.items()]
        if children is not None:
            fm.append("children:")
            fm += [f"  - /{c}" for c in children]
        if redirects and children is None and rel != "index.md":
            fm.append("redirect_from:")
            fm += [f"  - {p}" for p in old_paths(rel)]
        total_bytes += _write(root / "content" / rel, "---\n" + "\n".join(fm) + "\n---\n\n" + body)
        count += 1
        if tr and (rel == "index.md" or tr.rng.random() < tr.page_share):
            tfm = [tr.prop(line) for line in fm]
            _write(root / f"translations/{translation}/content" / rel,
                   "---\n" + "\n".join(tfm) + "\n---\n\n" + tr.text(body))
            tr.pages.append(rel)

    def article_body(rel: str) -> str:
        blocks = plain_blocks(w)
        # Code fences get the copy annotation GitHub Docs uses.
        blocks = [b.replace("```shell\n", "```shell copy\n", 1) for b in blocks]
        textual = [i for i, b in enumerate(blocks) if not b.startswith(("#", "```", "|"))]
        # 5-15 variables in paragraphs and list items.
        for _ in range(r.randint(5, 15)):
            i = r.choice(textual)
            blocks[i] = _insert_inline(r, blocks[i], var())
        # 1-3 internal links (AUTOTITLE or text) to articles on every version.
        for _ in range(r.randint(1, 3)):
            target = r.choice(everywhere)
            if target == rel:
                continue
            url = "/" + target[:-3]
            link = f"[AUTOTITLE]({url})" if r.random() < 0.6 else f"[{w.words(2)}]({url})"
            i = r.choice(textual)
            blocks[i] = _insert_inline(r, blocks[i], link)
        # Version conditions: ~35% of pages none, else 1-6 blocks.
        if r.random() >= 0.35:
            k = _pick(r, ((25, 1), (25, 2), (20, 3), (13, 4), (10, 5), (7, 6)))[1]
            for _ in range(k):
                _w, cond, alt = _pick(r, CONDITIONS)
                end = r.choice(("endif", "endifversion"))
                if r.random() < 0.5:  # inline, in a paragraph or list item
                    s = f"{{% ifversion {cond} %}}{w.words(r.randint(3, 12))}"
                    if alt and r.random() < 0.5:
                        s += f"{{% elsif {alt} %}}{w.words(r.randint(3, 12))}"
                    if r.random() < 0.4:
                        s += f"{{% else %}}{w.words(r.randint(3, 12))}"
                    s += f"{{% {end} %}}"
                    i = r.choice(textual)
                    blocks[i] = _insert_inline(r, blocks[i], s)
                else:  # block level, around paragraphs
                    parts = [f"{{% ifversion {cond} %}}", w.paragraph(1, 3)]
                    if alt and r.random() < 0.6:
                        parts += [f"{{% elsif {alt} %}}", w.paragraph(1, 3)]
                    if r.random() < 0.4:
                        parts += ["{% else %}", w.paragraph(1, 2)]
                    parts.append(f"{{% {end} %}}")
                    pos = r.randint(1, len(blocks))
                    blocks.insert(pos, "\n\n".join(parts))
                    textual = [i for i, b in enumerate(blocks)
                               if not b.startswith(("#", "```", "|", "{%"))]
        # 0-4 reusables, on their own line or as a step of an ordered list.
        k = _pick(r, ((25, 0), (30, 1), (20, 2), (15, 3), (10, 4)))[1]
        chosen = set()
        for _ in range(k):
            name = r.choices(reusables, weights=reuse_weights)[0]
            chosen.add(name)
            tag = f"{{% data reusables.{name.replace('/', '.')} %}}"
            if r.random() < 0.5:
                blocks.insert(r.randint(1, len(blocks)), tag)
            else:
                blocks.insert(r.randint(1, len(blocks)),
                              f"1. {w.sentence(5, 10)}\n1. {tag}\n1. {w.sentence(5, 10)}")
        for name in chosen:
            users.setdefault(name, []).append(rel)
        return "\n\n".join(blocks) + "\n"

    first_article = ""
    all_plans = {"fpt": "*", "ghec": "*", "ghes": "*"}
    home_children = [p for p, _ in products]
    emit("index.md", "Bench docs", all_plans,
         _insert_inline(r, w.paragraph(2, 3), var()) + "\n", home_children, None)
    pv["index.md"] = frozenset()
    for prod, cats in products:
        prod_rel = f"{prod}/index.md"
        emit(prod_rel, w.title(), all_plans, w.paragraph(2, 3) + "\n", [c for c, _ in cats],
             f"{w.sentence(5, 10, decorate=False)[:-1]} {var()}.")
        prod_v: set[str] = set()
        for cat, slugs in cats:
            cat_rel = f"{prod}/{cat}/index.md"
            emit(cat_rel, w.title(), all_plans, w.paragraph(1, 2) + "\n", slugs,
                 w.sentence(5, 10, decorate=False))
            cat_v: set[str] = set()
            for slug in slugs:
                rel = f"{prod}/{cat}/{slug}.md"
                title = titles[rel]
                if r.random() < 0.1:
                    title = f"{title} {var()}"
                intro = f"{w.sentence(6, 14, decorate=False)[:-1]} {var()}." if r.random() < 0.7 else None
                emit(rel, title, art_versions[rel], article_body(rel), None, intro)
                pv[rel] = versions_of(art_versions[rel])
                cat_v |= pv[rel]
                if not first_article and "fpt" in pv[rel]:
                    first_article = f"/en/{prod}/{cat}/{slug}"
            pv[cat_rel] = frozenset(cat_v)
            prod_v |= cat_v
        pv[prod_rel] = frozenset(prod_v)
    pv["index.md"] = frozenset(v for vs in pv.values() for v in vs)
    corpus = Corpus("github-like", root, count, pv, {k: sorted(v) for k, v in sorted(users.items())},
                    first_article, total_bytes // max(count, 1))
    if tr:
        corpus.languages = ["en", translation]
        corpus.translated_pages = len(tr.pages)
        corpus.translated_reusables = len(tr.reusables)
    _stamp(root, key, corpus)
    return corpus


def corpus_stats(corpus: Corpus) -> dict:
    """Liquid density actually generated (for the report)."""
    import re

    pages = list((corpus.root / "content").rglob("*.md"))
    articles = [p for p in pages if p.name != "index.md"]
    ifv = [len(re.findall(r"\{%-? *ifversion ", p.read_text())) for p in articles]
    dvar = [len(re.findall(r"\{%-? *data variables\.", p.read_text())) for p in articles]
    dreu = [len(re.findall(r"\{%-? *data reusables\.", p.read_text())) for p in articles]
    na = max(len(articles), 1)
    reus = list((corpus.root / "data/reusables").rglob("*.md"))
    cond_reus = sum(1 for p in reus if "ifversion" in p.read_text())
    return {
        "articles": len(articles),
        "no_condition_pct": 100.0 * sum(1 for x in ifv if x == 0) / na,
        "ifversion_per_page": sum(ifv) / na,
        "variables_per_page": sum(dvar) / na,
        "reusables_per_page": sum(dreu) / na,
        "reusables": len(reus),
        "reusables_with_condition_pct": 100.0 * cond_reus / max(len(reus), 1),
    }
