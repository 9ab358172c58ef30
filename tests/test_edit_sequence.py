"""A seeded random sequence of edits to a small two-product site with a French translation; after
every step the incremental build's files (all but `.build/`) and diagnostics equal a clean build's.

Edits: page bodies, titles used by AUTOTITLE from the other product, intros (shown on their
product's page, linking into the other product), reusables and variables (English and French),
`versions` ranges and a feature file, `redirect_from`, pages added, deleted, renamed and moved to
the other product (children lists follow), French pages and product pages, French links that
break and get fixed through a redirect or a wider `versions`, and now and then an English error
(both builds fail alike) fixed at the next step. English links are kept resolvable; French ones
may break, and the page then falls back to English.

Every step is compared without search; every SEARCH_EVERY steps a third folder, built
incrementally with search across those steps, is compared with a clean build with search.
Run another sequence with EDIT_SEQUENCE_SEED=<n>; a failure names the seed and the step.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import run_cli, write_tree
from tests.test_build import tree_digest

STEPS = int(os.environ.get("EDIT_SEQUENCE_STEPS", "120"))
SEARCH_EVERY = 10
SEED = int(os.environ.get("EDIT_SEQUENCE_SEED", "20261206"))

VERSIONS = """\
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
    releases: ["3.10", "3.9"]
"""
FPT, GHEC, S310, S39 = "fpt", "ghec", "ghes-3.10", "ghes-3.9"
ALL = frozenset({FPT, GHEC, S310, S39})
# frontmatter `versions` -> the versions it means (None: the feature's, which change too)
RANGES: dict[str, frozenset[str] | None] = {
    "{fpt: '*', ghec: '*', ghes: '*'}": ALL,
    "{fpt: '*', ghec: '*'}": frozenset({FPT, GHEC}),
    "{fpt: '*'}": frozenset({FPT}),
    "{fpt: '*', ghes: '>=3.10'}": frozenset({FPT, S310}),
    "{ghec: '*', ghes: '<3.10'}": frozenset({GHEC, S39}),
    "{feature: flag}": None,
}
EVERYWHERE = "{fpt: '*', ghec: '*', ghes: '*'}"
FEATURES = {
    "versions:\n  fpt: '*'\n": frozenset({FPT}),
    "versions:\n  ghec: '*'\n  ghes: '*'\n": frozenset({GHEC, S310, S39}),
    "versions:\n  fpt: '*'\n  ghec: '*'\n  ghes: '*'\n": ALL,
}
PRODUCTS = ("alpha", "beta")
BROKEN = "{% ifversion %}Unclosed."
WORDS = ("apple", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper")


@dataclass
class Doc:
    title: str
    versions: str = EVERYWHERE
    body: list[str] = field(default_factory=list)
    """Snippets; ("link", path) tuples are AUTOTITLE links."""
    intro_link: str | None = None
    redirects: list[str] = field(default_factory=list)
    children: list[str] | None = None


@dataclass
class French:
    title: str
    link: str | None
    reusable: bool = False


class Model:
    """The site as data: what the next step may edit, written out in full after each step."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.n = 0
        self.broken = False
        self.feature = "versions:\n  fpt: '*'\n"
        self.variables = {"thing": "Widget", "other": "Gadget"}
        self.reusable = "A shared note about {% data variables.names.thing %}."
        self.fr_reusable: str | None = "Une note partagée vers [le produit](/alpha)."
        self.pages: dict[str, Doc] = {"index": Doc("Home", children=["/alpha", "/beta"])}
        self.french: dict[str, French] = {}
        for prod in PRODUCTS:
            self.pages[f"{prod}/index"] = Doc(prod.title(), children=[])
            for _ in range(3):
                self.add_page(prod)

    # -- what the model knows about the site ---------------------------------------------------
    def word(self) -> str:
        self.n += 1
        return f"{self.rng.choice(WORDS)}{self.n}"

    def leaves(self, prod: str | None = None) -> list[str]:
        return sorted(u for u in self.pages if "/" in u and not u.endswith("/index")
                      and (prod is None or u.startswith(prod + "/")))

    def versions_of(self, url: str) -> frozenset[str]:
        found = RANGES[self.pages[url].versions]
        return FEATURES[self.feature] if found is None else found

    def target(self, path: str) -> str | None:
        """The page a link to `path` reaches: the live page, else the one whose redirect_from claims it."""
        url = path.strip("/")
        if url.endswith("/index"):
            return None
        url = url or "index"
        if url in self.pages:
            return url
        return next((u for u, d in self.pages.items() if path in d.redirects), None)

    def resolves(self, path: str, versions: frozenset[str]) -> bool:
        url = self.target(path)
        return url is not None and versions <= self.versions_of(url)

    def claimed(self, path: str) -> bool:
        return path.strip("/") in self.pages or any(path in d.redirects for d in self.pages.values())

    def page_path(self, url: str) -> str:
        return "/" + (url.removesuffix("/index") if url != "index" else "")

    # -- edits ---------------------------------------------------------------------------------
    def add_page(self, prod: str | None = None) -> str:
        prod = prod or self.rng.choice(PRODUCTS)
        name = self.word()
        url = f"{prod}/{name}"
        self.pages[url] = Doc(f"{name.title()} guide", versions=self.rng.choice(list(RANGES)[:-1]),
                              body=[f"About {name}."])
        self.pages[f"{prod}/index"].children.append(f"/{name}")
        return f"add {url}"

    def delete_page(self) -> str:
        url = self.rng.choice(self.leaves())
        del self.pages[url]
        prod, name = url.split("/")
        self.pages[f"{prod}/index"].children.remove(f"/{name}")
        return f"delete {url}"

    def rename_page(self) -> str:
        url = self.rng.choice(self.leaves())
        prod, name = url.split("/")
        new = f"{prod}/{self.word()}"
        doc = self.pages.pop(url)
        self.pages[new] = doc
        kids = self.pages[f"{prod}/index"].children
        kids[kids.index(f"/{name}")] = "/" + new.split("/")[1]
        doc.redirects = [r for r in doc.redirects if r != "/" + new]
        if self.rng.random() < 0.7 and not self.claimed("/" + url):
            doc.redirects.append("/" + url)  # links to the old path keep working
        if url in self.french and self.rng.random() < 0.8:
            self.french[new] = self.french.pop(url)
        return f"rename {url} -> {new}"

    def move_page(self) -> str:
        """To the other product: its sidebar, breadcrumbs and product change."""
        url = self.rng.choice(self.leaves())
        prod, name = url.split("/")
        other = next(p for p in PRODUCTS if p != prod)
        new = f"{other}/{name}"
        if new in self.pages or self.claimed("/" + new):
            return self.edit_title()
        self.pages[new] = doc = self.pages.pop(url)
        self.pages[f"{prod}/index"].children.remove(f"/{name}")
        self.pages[f"{other}/index"].children.insert(self.rng.randrange(len(self.pages[f"{other}/index"].children) + 1),
                                                     f"/{name}")
        if not self.claimed("/" + url):
            doc.redirects.append("/" + url)
        if url in self.french:
            self.french[new] = self.french.pop(url)
        return f"move {url} -> {new}"

    def reorder_children(self) -> str:
        prod = self.rng.choice(PRODUCTS)
        self.rng.shuffle(self.pages[f"{prod}/index"].children)
        return f"children of {prod} reordered"

    def break_english(self) -> str:
        """An error: nothing is written; the next step fixes it."""
        url = self.rng.choice(self.leaves())
        self.pages[url].body.append(BROKEN)
        self.broken = True
        return f"error in {url}"

    def edit_title(self) -> str:
        url = self.rng.choice(self.leaves() + ["alpha/index", "beta/index"])
        self.pages[url].title = f"{self.word().title()} title"
        return f"title of {url}"

    def edit_body(self) -> str:
        url = self.rng.choice(self.leaves())
        doc = self.pages[url]
        kind = self.rng.choice(["text", "link", "link", "reusable", "variable", "ifversion", "feature", "drop"])
        if kind == "drop" and doc.body:
            doc.body.pop(self.rng.randrange(len(doc.body)))
        elif kind == "link":
            # mostly into the other product, to a live path or an old one kept by redirect_from
            prod = url.split("/")[0]
            other = [u for u in self.leaves() if not u.startswith(prod + "/")]
            paths = ["/" + u for u in (other * 3 + self.leaves(prod))]
            paths += [r for u in other for r in self.pages[u].redirects]
            ok = [p for p in paths if self.resolves(p, self.versions_of(url)) and p != "/" + url]
            if ok:
                doc.body.append(("link", self.rng.choice(ok)))
        else:
            doc.body.append({
                "text": f"Some {self.word()} text.",
                "reusable": "{% data reusables.note %}",
                "variable": "Using {% data variables.names.other %}.",
                "ifversion": "{% ifversion ghes %}Server only.{% else %}Not on server.{% endif %}",
                "feature": "{% ifversion flag %}Flagged.{% endif %}",
                "drop": "Nothing to drop.",
            }[kind])
        return f"body of {url}: {kind}"

    def edit_intro(self) -> str:
        url = self.rng.choice(self.leaves())
        prod = url.split("/")[0]
        ok = [u for u in self.leaves() if not u.startswith(prod + "/") and self.versions_of(url) <= self.versions_of(u)]
        self.pages[url].intro_link = "/" + self.rng.choice(ok) if ok and self.rng.random() < 0.8 else None
        return f"intro of {url}"

    def set_versions(self) -> str:
        url = self.rng.choice(self.leaves())
        self.pages[url].versions = self.rng.choice(list(RANGES))
        return f"versions of {url}: {self.pages[url].versions}"

    def edit_feature(self) -> str:
        self.feature = self.rng.choice([f for f in FEATURES if f != self.feature])
        return "feature flag: " + " ".join(self.feature.split())

    def add_redirect(self) -> str:
        url = self.rng.choice(self.leaves())
        path = f"/{url.split('/')[0]}/{self.word()}"
        self.pages[url].redirects.append(path)
        return f"redirect_from {path} on {url}"

    def edit_reusable(self) -> str:
        self.reusable = f"A {self.word()} note about {{% data variables.names.thing %}}."
        return "reusable"

    def edit_variable(self) -> str:
        key = self.rng.choice(sorted(self.variables))
        self.variables[key] = self.word().title()
        return f"variable {key}"

    def title_from_variable(self) -> str:
        url = self.rng.choice(self.leaves())
        self.pages[url].title = "{% data variables.names.thing %} " + self.word()
        return f"title of {url} from a variable"

    def fr_edit(self, kind: str | None = None) -> str:
        url = self.rng.choice(self.leaves())
        kind = kind or self.rng.choice(["good", "missing", "narrow", "old-path"])
        link: str | None = None
        if kind == "missing":  # broken until a redirect_from claims it
            link = f"/{self.rng.choice(PRODUCTS)}/{self.word()}"
        elif kind == "narrow":  # a page in fewer versions: falls back where it is missing
            narrow = [u for u in self.leaves() if u != url and not self.versions_of(url) <= self.versions_of(u)]
            link = "/" + self.rng.choice(narrow) if narrow else None
        elif kind == "old-path":
            old = [r for d in self.pages.values() for r in d.redirects]
            link = self.rng.choice(old) if old else None
        else:
            link = "/" + self.rng.choice(self.leaves())
        self.french[url] = French(f"{self.word().title()} (fr)", link, self.rng.random() < 0.3)
        return f"fr {url}: {kind} {link}"

    def fr_index(self) -> str:
        """A translated product page: its title in the French sidebars, its intro's link."""
        url = f"{self.rng.choice(PRODUCTS)}/index"
        link = "/" + self.rng.choice(self.leaves()) if self.rng.random() < 0.5 else None
        self.french[url] = French(f"Produit {self.word()}", link)
        return f"fr {url}: {link}"

    def fr_fix_by_redirect(self) -> str:
        broken = sorted({f.link for f in self.french.values() if f.link and self.target(f.link) is None})
        if not broken:
            return self.fr_edit()
        path = self.rng.choice(broken)
        url = self.rng.choice(self.leaves())
        self.pages[url].redirects.append(path)
        return f"fr fix: redirect_from {path} on {url}"

    def fr_fix_by_versions(self) -> str:
        narrow = sorted({self.target(f.link) for f in self.french.values() if f.link and self.target(f.link)}
                        - {None, "index"})
        narrow = [u for u in narrow if self.versions_of(u) != ALL]
        if not narrow:
            return self.set_versions()
        url = self.rng.choice(narrow)
        self.pages[url].versions = EVERYWHERE
        return f"fr fix: {url} everywhere"

    def fr_delete(self) -> str:
        if not self.french:
            return self.fr_edit()
        url = self.rng.choice(sorted(self.french))
        del self.french[url]
        return f"fr delete {url}"

    def fr_reusable_edit(self) -> str:
        choice = self.rng.choice(["good", "broken", "none"])
        self.fr_reusable = {"good": f"Une note {self.word()} vers [le produit](/beta).",
                            "broken": f"Une note vers [rien](/alpha/{self.word()}).",
                            "none": None}[choice]
        return f"fr reusable: {choice}"

    ACTIONS = (
        ("edit_body", 5), ("edit_title", 4), ("edit_intro", 2), ("add_page", 2), ("delete_page", 1.5),
        ("rename_page", 2), ("set_versions", 2), ("edit_feature", 1), ("add_redirect", 1),
        ("edit_reusable", 1), ("edit_variable", 1), ("title_from_variable", 0.5), ("fr_edit", 4),
        ("fr_fix_by_redirect", 2), ("fr_fix_by_versions", 1.5), ("fr_delete", 1), ("fr_reusable_edit", 1),
        ("move_page", 1), ("reorder_children", 0.5), ("fr_index", 1), ("break_english", 0.5),
    )

    # Steps of every cycle of 20 that do one thing whatever the seed: a French link breaks and
    # the next step fixes it (by a redirect, then by versions), and an error is made and fixed.
    SCHEDULE = {2: ("fr_edit", "missing"), 3: ("fr_fix_by_redirect",), 12: ("fr_edit", "narrow"),
                13: ("fr_fix_by_versions",), 17: ("break_english",)}

    def step(self, number: int) -> str:
        if self.broken:
            for doc in self.pages.values():
                doc.body = [snippet for snippet in doc.body if snippet != BROKEN]
            self.broken = False
            return "error fixed"
        names, weights = zip(*self.ACTIONS)
        name, *args = self.SCHEDULE.get(number % 20, (None,))
        while name is None or (name in ("delete_page", "rename_page") and len(self.leaves()) <= 4):
            name = self.rng.choices(names, weights)[0]
        what = getattr(self, name)(*args)
        self.keep_english_valid()
        return what

    def keep_english_valid(self) -> None:
        """English must build: drop the links that no longer reach a page in all its versions."""
        for url, doc in self.pages.items():
            if "/" not in url or url.endswith("/index"):
                continue
            versions = self.versions_of(url)
            doc.body = [s for s in doc.body if not isinstance(s, tuple) or self.resolves(s[1], versions)]
            if doc.intro_link and not self.resolves(doc.intro_link, versions):
                doc.intro_link = None

    # -- the files -----------------------------------------------------------------------------
    def files(self) -> dict[str, str]:
        files = {
            "data/versions.yml": VERSIONS,
            "data/languages.yml": "en: {name: English}\nfr: {name: French, dir: translations/fr}\n",
            "data/features/flag.yml": self.feature,
            "data/variables/names.yml": "".join(f"{k}: {v}\n" for k, v in sorted(self.variables.items())),
            "data/reusables/note.md": self.reusable + "\n",
        }
        if self.fr_reusable is not None:
            files["translations/fr/data/reusables/note.md"] = self.fr_reusable + "\n"
        for url, doc in self.pages.items():
            fm = [f"title: {json.dumps(doc.title)}", f"versions: {doc.versions}"]
            if doc.intro_link:
                fm.append(f"intro: 'Start with [AUTOTITLE]({doc.intro_link}).'")
            if doc.children is not None:
                fm.append(f"children: [{', '.join(doc.children)}]")
                if url != "index":
                    fm.append("layout: product-landing")
            if doc.redirects:
                fm.append(f"redirect_from: [{', '.join(doc.redirects)}]")
            body = "\n\n".join(f"See [AUTOTITLE]({s[1]})." if isinstance(s, tuple) else s for s in doc.body)
            files[f"content/{url}.md"] = "---\n" + "\n".join(fm) + "\n---\n\n" + body + "\n"
        for url, fr in self.french.items():
            if url.endswith("/index"):
                intro = f"\nintro: 'Lire [AUTOTITLE]({fr.link}).'" if fr.link else ""
                files[f"translations/fr/content/{url}.md"] = f"---\ntitle: {json.dumps(fr.title)}{intro}\n---\n\nProduit.\n"
                continue
            body = [f"## Section {fr.title}", "Du texte."]
            if fr.link:
                body.append(f"Voir [AUTOTITLE]({fr.link}).")
            if fr.reusable:
                body.append("{% data reusables.note %}")
            files[f"translations/fr/content/{url}.md"] = (f"---\ntitle: {json.dumps(fr.title)}\n---\n\n"
                                                          + "\n\n".join(body) + "\n")
        return files

    def write(self, root: Path) -> None:
        files = self.files()
        for path in sorted(root.rglob("*"), reverse=True):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in files:
                path.unlink()
        # Rewrite only what changed: an unchanged file keeps its modification time.
        write_tree(root, {rel: text for rel, text in files.items()
                          if not (root / rel).is_file() or (root / rel).read_text("utf-8") != text})


def build(root: Path, out: Path, *extra: str) -> tuple[int, list[str], dict]:
    result = run_cli("build", "--root", str(root), "--out", str(out), "--format", "json", *extra)
    assert result.stdout, f"exit {result.status}: {result.stderr}"
    doc = json.loads(result.stdout)
    diagnostics = sorted(json.dumps(d, sort_keys=True) for d in doc["diagnostics"])
    return result.status, diagnostics, doc


def compare(root: Path, out: Path, clean: Path, search: bool, where: str, expect: int = 0) -> dict:
    """Build incrementally into `out` and clean into `clean`; the same exit status, diagnostics
    and files (when the build fails, both keep the site of the last step)."""
    flags = () if search else ("--no-search",)
    status, diagnostics, doc = build(root, out, *flags)
    clean_status, clean_diagnostics, _ = build(root, clean, "--clean", *flags)
    assert (status, clean_status) == (expect, expect), f"{where}: exit {status}, clean exit {clean_status}: {diagnostics}"
    assert diagnostics == clean_diagnostics, f"{where}: the diagnostics differ from a clean build's"
    ours, theirs = tree_digest(out, (".build/",)), tree_digest(clean, (".build/",))
    assert sorted(set(ours) ^ set(theirs)) == [], f"{where}: files only in one build"
    assert [p for p in ours if ours[p] != theirs[p]] == [], f"{where}: files differ from a clean build's"
    return doc


def test_random_edit_sequence_matches_clean_builds(tmp_path, monkeypatch):
    # Builds follow each other in this one process: the replaced site is deleted before the next
    # swap (in the background, a second swap within the same process can find its folder taken).
    monkeypatch.setenv("DOCS_BUILDER_SYNC_CLEANUP", "1")
    rng = random.Random(SEED)
    model = Model(rng)
    root, out, clean = tmp_path / "src", tmp_path / "out", tmp_path / "clean"
    searched, searched_clean = tmp_path / "searched", tmp_path / "searched-clean"
    root.mkdir()
    history: list[str] = ["initial site"]
    seen = {"reused": 0, "fallbacks": 0, "recovered": 0, "errors": 0}
    french_before: set[str] = set()
    for step in range(STEPS + 1):
        if step:
            history.append(model.step(step))
        model.write(root)
        where = (f"seed {SEED} (EDIT_SEQUENCE_SEED={SEED}), step {step}: {history[-1]}\n  steps so far: "
                 + "; ".join(history[-8:]))
        expect = 1 if model.broken else 0
        doc = compare(root, out, clean, False, where, expect)
        if step % SEARCH_EVERY == 0:
            compare(root, searched, searched_clean, True, where + " (with search)", expect)
        if expect:
            seen["errors"] += 1
            continue
        if step:
            seen["reused"] += doc["unchanged_pages"] > 0
        fallen = {d["message"] for d in doc["diagnostics"] if "falls back to English" in d["message"]}
        seen["fallbacks"] += bool(fallen)
        seen["recovered"] += history[-1].startswith("fr fix") and bool(french_before - fallen)
        french_before = fallen
    # The sequence did what it is for: incremental builds reused pages, and French pages fell
    # back to English and came back.
    assert seen["reused"] > STEPS // 2, seen
    assert seen["fallbacks"] > STEPS // 4 and seen["recovered"] >= STEPS // 20 and seen["errors"] >= STEPS // 20, seen
    shutil.rmtree(tmp_path, ignore_errors=True)
