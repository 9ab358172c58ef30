"""`docs-builder deprecate RELEASE`: retire the oldest supported release from the sources.

`plan_deprecation` reads the site and works out every change (nothing is written): the release
moves from `releases` to `deprecated` in `data/versions.yml`; in content, data and translations
the Liquid that served only deprecated releases goes (rewrite.py), `versions:` ranges are
simplified, and pages left with no supported version are removed with their `children` entry
and their translations. `changes.write_deprecation` then writes each file atomically.
"""

from __future__ import annotations

import os
import re
import posixpath
from pathlib import Path

import yaml

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..core.errors import ConfigError, ContentError
from ..core.location import Location, locate
from ..i18n.repair import repair_text
from ..sources.config import load_config
from ..sources.files import read_source_bytes
from ..sources.frontmatter import split_frontmatter
from ..versions.applicable import evaluate_versions
from ..versions.expression import ExpressionError
from ..versions.model import release_key
from .blocks import StructureError, same_output
from .changes import Deprecated, Source
from .rewrite import Decider, Edit, apply, merge, rewrite_text
from .simplify import Deprecation, make_deprecation
from .yaml_edit import (compose, map_edits, mapping_get, move_release, range_edits, remove_child,
                        string_values, value_offsets)

VERSIONS_FILE = "data/versions.yml"
_LEGACY = re.compile(r"\{%-?\s*(?:if|elsif|unless)\s[^%]*%\}")
_VERSION_STRING = re.compile(r"\"([a-z-]+)@(\d+(?:\.\d+)+)\"")


def _error(message: str, loc: Location | None = None) -> ConfigError:
    return ConfigError(Diagnostic(codes.DEPRECATE_RELEASE, message, loc))


def resolve_release(space, text: str):
    """(plan, release) named by `ghes@3.14` or `enterprise-server@3.14`; `ConfigError` otherwise."""
    name, sep, release = text.partition("@")
    plan = space.plan(name) if sep else None
    numbered = [p for p in space.plans if p.numbered]
    example = f"{numbered[0].short}@{numbered[0].releases[-1]}" if numbered else "ghes@3.14"
    if plan is None or not plan.numbered:
        raise _error(f"{text!r} is not a release of a plan with numbered releases; expected PLAN@RELEASE, "
                     f"such as {example}")
    if release in plan.deprecated:
        raise _error(f"{plan.name}@{release} is already deprecated")
    if release not in plan.releases:
        raise _error(f"{plan.name} has no release {release!r}; supported releases are {', '.join(plan.releases)}")
    if len(plan.releases) == 1:
        raise _error(f"{plan.name}@{release} is the plan's only supported release; a plan keeps at least one")
    oldest = plan.releases[-1]
    if release != oldest:
        raise _error(f"{plan.name}@{release} is not the oldest supported release: releases are deprecated oldest "
                     f"first, so deprecate {plan.name}@{oldest} first")
    return plan, release


def plan_deprecation(root: Path, release: str) -> Deprecated:
    """Work out the deprecation of `release`; raises `ConfigError` for a bad release or site."""
    root = Path(root)
    config = load_config(root)
    plan, rel = resolve_release(config.space, release)
    run = _Run(root, config, Deprecated(f"{plan.name}@{rel}"))
    features = run.features()
    run.dep = make_deprecation(config.space, plan, rel, features)
    run.decider = Decider(run.dep)
    run.versions_file()
    run.content_and_data()
    return run.result


class _Run:
    def __init__(self, root: Path, config, result: Deprecated):
        self.root, self.config, self.result = root, config, result
        self.dep: Deprecation | None = None
        self.decider: Decider | None = None
        self.edits: dict[str, list[Edit]] = {}
        self.removed: set[str] = set()
        self.english: dict[tuple, tuple[str, str]] = {}
        """(rel, key path) -> (old, new) text of each English Liquid piece."""

    # Files ---------------------------------------------------------------------------------

    def read(self, rel: str) -> Source | None:
        if rel in self.result.sources:
            return self.result.sources[rel]
        try:
            if os.path.islink(self.root / rel):
                raise ContentError(Diagnostic(codes.DEPRECATE_WRITE, "", Location(rel, 1, 1)))
            raw = read_source_bytes(self.root, rel).decode("utf-8")
        except (ContentError, UnicodeDecodeError):
            self.warn(codes.DEPRECATE_UNPARSED, f"{rel} is a symbolic link or cannot be read as UTF-8 text; "
                      "it is left as it is", Location(rel, 1, 1))
            return None
        bom = raw.startswith("\ufeff")
        text = raw[1:] if bom else raw
        crlf = "\r\n" in text
        if crlf:
            if text.count("\r") != text.count("\n") or text.count("\r\n") != text.count("\n"):
                self.warn(codes.DEPRECATE_UNPARSED, f"{rel} mixes line endings; it is left as it is",
                          Location(rel, 1, 1))
                return None
            text = text.replace("\r\n", "\n")
        elif "\r" in text:
            self.warn(codes.DEPRECATE_UNPARSED, f"{rel} uses CR line endings; it is left as it is", Location(rel, 1, 1))
            return None
        source = self.result.sources[rel] = Source(rel, text, bom, crlf)
        return source

    def files(self, top: str, suffix: str) -> list[str]:
        base = self.root / top
        if not base.is_dir() or os.path.islink(base):
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                if name.endswith(suffix):
                    found.append(Path(os.path.relpath(os.path.join(dirpath, name), self.root)).as_posix())
        return found

    def warn(self, code, message: str, loc: Location | None) -> None:
        self.result.problems.append(Diagnostic(code, message, loc, Severity.WARNING))

    def add(self, rel: str, edits: list[Edit]) -> None:
        if edits:
            self.edits.setdefault(rel, []).extend(edits)

    # Steps ---------------------------------------------------------------------------------

    def features(self) -> dict[str, object]:
        found = {}
        for rel in self.files("data/features", ".yml"):
            source = self.read(rel)
            try:
                data = yaml.safe_load(source.text) if source else None
            except yaml.YAMLError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("versions"), dict):
                found[posixpath.basename(rel)[:-4]] = data["versions"]
        return found

    def versions_file(self) -> None:
        if os.path.islink(self.root / VERSIONS_FILE):
            raise ConfigError(Diagnostic(codes.DEPRECATE_WRITE, f"{VERSIONS_FILE} was not written: it is a symbolic "
                                         "link, which is never followed; nothing was written", Location(VERSIONS_FILE, 1, 1)))
        source = self.read(VERSIONS_FILE)
        if source is None:
            raise ConfigError(Diagnostic(codes.DEPRECATE_WRITE, f"{VERSIONS_FILE} cannot be edited; nothing was "
                                         "written", Location(VERSIONS_FILE, 1, 1)))
        self.add(VERSIONS_FILE, move_release(source.text, self.dep.plan.short, self.dep.release))

    def content_and_data(self) -> None:
        for rel in self.files("data/features", ".yml"):
            self.feature(rel)
        for rel in self.files("content", ".md"):
            self.page(rel)
        for rel in self.files("data/reusables", ".md"):
            self.reusable(rel)
        for rel in self.files("data/variables", ".yml"):
            self.variables(rel)
        for lang in self.config.languages:
            if not lang.dir:
                continue
            for rel in self.files(f"{lang.dir}/content", ".md"):
                self.page(rel, lang)
            for rel in self.files(f"{lang.dir}/data/reusables", ".md"):
                self.reusable(rel, lang)
            for rel in self.files(f"{lang.dir}/data/variables", ".yml"):
                self.variables(rel, lang)
        for rel, edits in self.edits.items():
            if rel not in self.removed:
                source = self.result.sources[rel]
                new = apply(source.text, merge(edits))
                if new != source.text:
                    self.result.new_text[rel] = new
        for rel in self.removed:
            self.result.new_text[rel] = None

    def feature(self, rel: str) -> None:
        source = self.read(rel)
        try:
            root = compose(source.text) if source else None
        except yaml.YAMLError:
            return  # the build reports it
        _, versions = mapping_get(root, "versions")
        edits, removed = range_edits(source.text, versions, self.dep) if versions is not None else ([], [])
        if removed and len(removed) == len(versions.value):
            self.warn(codes.DEPRECATE_KEPT, f"this feature applies to no supported release any more; it is left as "
                      "it is: remove it and its uses by hand", Location(rel, 1, 1))
            return
        self.add(rel, edits)

    def page(self, rel: str, lang=None) -> None:
        source = self.read(rel)
        if source is None:
            return
        english_rel = rel[len(lang.dir) + 1:] if lang else rel
        if english_rel in self.removed:
            if lang is not None:
                self.removed.add(rel)
            return
        try:
            split = split_frontmatter(source.text, rel)
            root = compose(split.fm_text)
        except (ContentError, yaml.YAMLError):
            self.warn(codes.DEPRECATE_UNPARSED, "the frontmatter does not parse; the file is left as it is",
                      Location(rel, 1, 1))
            return
        fm_start = split.fm_span[0]
        _, versions = mapping_get(root, "versions")
        if lang is None and self._applies_to_nothing(split.data.get("versions"), split.data):
            self.remove_page(rel)
            return
        if versions is not None:
            edits, _ = range_edits(split.fm_text, versions, self.dep)
            self.add(rel, [Edit(e.start + fm_start, e.end + fm_start, e.text) for e in edits])
        for keys, node in string_values(root):  # those the build renders, and any other with Liquid
            self.value(rel, source.text, fm_start, split.fm_text, node, keys, "value", lang, english_rel)
        body = source.text[split.body_offset:]
        self.piece(rel, source.text, split.body_offset, body, ("body",), "body", lang, english_rel)

    def _applies_to_nothing(self, versions, data) -> bool:
        if not isinstance(versions, dict) or data.get("children"):
            return False
        features = self.dep.features
        old, _ = evaluate_versions(versions, self.dep.old, features["old"])
        new, _ = evaluate_versions(versions, self.dep.new, features["new"])
        return bool(old) and not new

    def remove_page(self, rel: str) -> None:
        self.removed.add(rel)
        inner = rel[len("content/"):]
        if inner.endswith("/index.md"):
            child = "/" + posixpath.basename(posixpath.dirname(inner))
            parent = posixpath.join(posixpath.dirname(posixpath.dirname(inner)), "index.md")
        else:
            child = "/" + posixpath.basename(inner)[:-3]
            parent = posixpath.join(posixpath.dirname(inner), "index.md")
        parent_rel = "content/" + parent.lstrip("./")
        source = self.read(parent_rel) if parent_rel != rel else None
        if source is None:
            return
        try:
            split = split_frontmatter(source.text, parent_rel)
            edit = remove_child(split.fm_text, compose(split.fm_text), child)
        except (ContentError, yaml.YAMLError):
            edit = None
        if edit is not None:
            start = split.fm_span[0]
            self.add(parent_rel, [Edit(edit.start + start, edit.end + start, edit.text)])

    def reusable(self, rel: str, lang=None) -> None:
        source = self.read(rel)
        if source is None:
            return
        offset = 0
        if source.text.startswith("---"):
            try:
                offset = split_frontmatter(source.text, rel, required=False).body_offset
            except ContentError:
                offset = 0
        english_rel = rel[len(lang.dir) + 1:] if lang else rel
        self.piece(rel, source.text, offset, source.text[offset:], ("body",), "data", lang, english_rel)

    def variables(self, rel: str, lang=None) -> None:
        source = self.read(rel)
        if source is None:
            return
        try:
            root = compose(source.text)
        except yaml.YAMLError:
            return  # the build reports it
        english_rel = rel[len(lang.dir) + 1:] if lang else rel
        for keys, node in string_values(root):
            self.value(rel, source.text, 0, source.text, node, keys, "data", lang, english_rel)

    # Liquid pieces ---------------------------------------------------------------------------

    def value(self, rel, file_text, base, yaml_text, node, keys, kind, lang, english_rel) -> None:
        offsets = value_offsets(yaml_text, node)
        edits = self.rewrite(rel, file_text, None, node.value, keys, kind, lang, english_rel,
                             where=base + node.start_mark.index)
        if not edits:
            return
        mapped = map_edits(edits, offsets) if offsets is not None else None
        if mapped is None:
            loc = locate(rel, file_text, base + node.start_mark.index)
            self.warn(codes.DEPRECATE_KEPT, "this value mentions deprecated releases but is written with YAML "
                      "escapes or folded lines, so it is left as it is: simplify it by hand", loc)
            return
        self.add(rel, [Edit(e.start + base, e.end + base, e.text) for e in mapped])

    def piece(self, rel, file_text, base, text, keys, kind, lang, english_rel) -> None:
        edits = self.rewrite(rel, file_text, base, text, keys, kind, lang, english_rel, where=base)
        self.add(rel, [Edit(e.start + base, e.end + base, e.text) for e in edits])

    def rewrite(self, rel, file_text, base, text, keys, kind, lang, english_rel, *, where: int) -> list[Edit]:
        """Edits (offsets in `text`) of one Liquid piece; problems are reported at `where` + offset."""
        def at(offset: int) -> Location:
            return locate(rel, file_text, where + offset if base is not None else where)

        try:
            done = rewrite_text(text, self.dep, kind, self.decider)
        except StructureError as err:
            self.warn(codes.DEPRECATE_UNPARSED, f"the Liquid does not parse ({err}); the text is left as it is",
                      at(err.offset))
            return []
        except ExpressionError as err:
            self.warn(codes.DEPRECATE_UNPARSED, f"a condition does not parse ({err.message}); the text is left as "
                      "it is", at(err.offset))
            return []
        for offset, reason in done.kept:
            self.warn(codes.DEPRECATE_KEPT, f"this block is left as it is: {reason}", at(offset))
        for m in _LEGACY.finditer(text):
            old = [f"{name}@{rel}" for name, rel in _VERSION_STRING.findall(m.group(0))
                   if (p := self.dep.new.plan(name)) is not None and p.numbered
                   and release_key(rel) < release_key(p.releases[-1])]
            if old:
                self.warn(codes.DEPRECATE_KEPT, f"a pre-2021 condition names {old[0]}, a deprecated release; it is "
                          "not rewritten: rewrite it with ifversion", at(m.start()))
        if lang is None:
            self.english[(rel, keys)] = (text, done.text)
            return done.edits
        return self._translated(rel, text, done, keys, lang, english_rel, at)

    def _translated(self, rel, text, done, keys, lang, english_rel, at) -> list[Edit]:
        """A translation's edits, kept only if it then renders as before once repaired against
        the rewritten English (the build repairs translator-broken Liquid against English)."""
        en_old, en_new = self.english.get((english_rel, keys), (None, None))
        before = repair_text(text, en_old, lang.code)[0]
        versions = self.dep.new.versions
        if done.edits and same_output(before, repair_text(done.text, en_new, lang.code)[0], self.decider,
                                      self.decider, versions, "body"):
            return done.edits
        if same_output(before, repair_text(text, en_new, lang.code)[0], self.decider, self.decider, versions, "body"):
            if done.edits:
                self.warn(codes.DEPRECATE_KEPT, "this translation is left as it is: rewritten, it would no longer "
                          "line up with the English text it is repaired against", at(0))
            return []
        self.warn(codes.DEPRECATE_KEPT, "this translation's Liquid is repaired against the English text, which "
                  "changed; check how it renders", at(0))
        return done.edits
