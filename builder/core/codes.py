"""Stable diagnostic codes. Each one is documented in docs/errors.md."""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    code: str
    name: str


# Files and frontmatter.
FILE_NOT_UTF8 = Code("DB101", "file-not-utf8")
FILE_EMPTY = Code("DB102", "empty-file")
FM_UNCLOSED = Code("DB103", "frontmatter-unclosed")
FM_YAML = Code("DB104", "frontmatter-yaml")
FM_NOT_MAPPING = Code("DB105", "frontmatter-not-mapping")
FM_UNKNOWN_KEY = Code("DB106", "frontmatter-unknown-key")
FM_MISSING_KEY = Code("DB107", "frontmatter-missing-key")
FM_WRONG_TYPE = Code("DB108", "frontmatter-wrong-type")
SOURCE_UNREADABLE = Code("DB109", "file-unreadable")
VERSIONS_BAD_RANGE = Code("DB110", "versions-bad-range")
VERSIONS_UNKNOWN_PLAN = Code("DB111", "versions-unknown-plan")
VERSIONS_NONE = Code("DB112", "versions-none-supported")
VERSIONS_UNKNOWN_FEATURE = Code("DB113", "versions-unknown-feature")
FEATURE_UNKNOWN_KEY = Code("DB114", "feature-unknown-key")
DATA_YAML = Code("DB120", "data-yaml")

# Liquid.
LIQUID_SYNTAX = Code("DB201", "liquid-syntax")
LIQUID_UNKNOWN_TAG = Code("DB202", "liquid-unknown-tag")
LIQUID_UNCLOSED = Code("DB203", "liquid-unclosed-block")
LIQUID_STRAY_TAG = Code("DB204", "liquid-stray-tag")
LIQUID_RENDER = Code("DB205", "liquid-render")
LIQUID_UNDEFINED = Code("DB206", "liquid-undefined")
LIQUID_NESTING = Code("DB207", "liquid-nesting")
LIQUID_LEGACY = Code("DB208", "liquid-legacy-syntax")
IFVERSION_SYNTAX = Code("DB210", "ifversion-syntax")
IFVERSION_UNKNOWN_NAME = Code("DB211", "ifversion-unknown-name")
IFVERSION_NO_RELEASES = Code("DB212", "ifversion-plan-without-releases")
IFVERSION_DEPRECATED = Code("DB213", "ifversion-deprecated-release")
IFVERSION_UNKNOWN_RELEASE = Code("DB214", "ifversion-unknown-release")
DATA_MISSING = Code("DB220", "data-missing")
DATA_CYCLE = Code("DB221", "data-cycle")
DATA_BAD_PATH = Code("DB222", "data-bad-path")
DATA_BAD_ARGS = Code("DB223", "data-bad-arguments")
OCTICON = Code("DB230", "octicon")
LIQUID_TOO_LARGE = Code("DB240", "liquid-too-large")
DATA_TOO_MANY = Code("DB241", "data-too-many-expansions")
LIQUID_LOOP_LIMIT = Code("DB242", "liquid-loop-limit")
TOOL_UNKNOWN_DEFAULT = Code("DB250", "tool-unknown-default")
TOOL_DEFAULT_UNUSED = Code("DB251", "tool-default-unused")

# Site structure.
CHILD_MISSING = Code("DB301", "child-missing")
CHILD_DUPLICATE = Code("DB302", "child-duplicate")
CHILD_CYCLE = Code("DB303", "child-cycle")
OUTPUT_CLASH = Code("DB304", "output-path-clash")
UNREACHABLE = Code("DB305", "page-unreachable")
NO_CONTENT = Code("DB306", "no-content")
SYMLINK_LOOP = Code("DB307", "symlink-loop")
CHILDREN_TYPE = Code("DB308", "children-invalid")
PAGE_PATH = Code("DB309", "page-path")
SOURCE_OUTSIDE_ROOT = Code("DB310", "symlink-outside-root")
FILE_NAME = Code("DB311", "file-name")

# Links and redirects.
LINK_BROKEN = Code("DB401", "link-broken")
LINK_ANCHOR = Code("DB402", "link-anchor-missing")
LINK_AUTOTITLE = Code("DB403", "link-autotitle")
REDIRECT_CLASH = Code("DB404", "redirect-clash")
REDIRECT_LOOP = Code("DB405", "redirect-loop")
REDIRECT_BAD = Code("DB406", "redirect-invalid")
LINK_UNSAFE = Code("DB407", "link-unsafe")

# Translations (never fail a build).
TRANSLATION_REPAIRED = Code("DB501", "translation-repaired")
TRANSLATION_FALLBACK = Code("DB502", "translation-fallback")
TRANSLATION_ORPHAN = Code("DB503", "translation-orphan")

# Configuration (exit status 2).
CONFIG_VERSIONS = Code("DB601", "config-versions")
CONFIG_LANGUAGES = Code("DB602", "config-languages")
CONFIG_LANGUAGE_DIR = Code("DB603", "config-language-dir")
CONFIG_SELECTION = Code("DB604", "config-selection")
CONFIG_OUTPUT = Code("DB605", "config-output")
WORKER_LOST = Code("DB606", "worker-lost")

# Build state in `<out>/.build/` (warnings: the state is ignored and the build runs clean).
STATE_CACHE = Code("DB610", "build-cache-ignored")
STATE_MANIFEST = Code("DB611", "build-manifest-ignored")
STATE_UNSAFE_PATH = Code("DB612", "build-state-unsafe-path")

# Search index (warnings: the site works without search, or the index is built afresh).
SEARCH_INDEX = Code("DB630", "search-index-failed")
SEARCH_STATE = Code("DB631", "search-state-ignored")
SERVE_SEARCH = Code("DB640", "serve-search-failed")

# `docs-builder deprecate`.
DEPRECATE_RELEASE = Code("DB660", "deprecate-release")
DEPRECATE_UNPARSED = Code("DB661", "deprecate-unparsed")
DEPRECATE_KEPT = Code("DB662", "deprecate-kept")
DEPRECATE_WRITE = Code("DB663", "deprecate-write")

# CI previews (`--base-site`, `--changed-since`).
BASE_SITE_UNUSED = Code("DB620", "base-site-not-used")
REF_NOT_FETCHED = Code("DB621", "changed-since-not-fetched")
BASE_SITE_OUT = Code("DB622", "base-site-is-out")

# Maintainer tools: `diff` and `archive` (exit status 2), archives found in --out.
MAINTAIN_VERSION = Code("DB670", "maintain-version")
ARCHIVE_DEPRECATED = Code("DB671", "archive-deprecated")
ARCHIVE_EXISTS = Code("DB672", "archive-exists")
ARCHIVE_IGNORED = Code("DB673", "archive-ignored")
VERSION_ARCHIVED = Code("DB674", "version-archived")

# Sharded builds: `build --shard K/N` and `assemble` (exit status 2).
SHARD_NOT_A_SHARD = Code("DB680", "shard-not-a-shard")
SHARD_MISMATCH = Code("DB681", "shard-mismatch")
SHARD_MISSING = Code("DB682", "shard-missing")
SHARD_DUPLICATE = Code("DB683", "shard-duplicate")
SHARD_OPTION = Code("DB684", "shard-option")

# Host profiles (`build --host`, `host:` in data/site.yml): exit status 2 for errors.
HOST_UNKNOWN = Code("DB690", "host-profile")
HOST_LIMIT = Code("DB691", "host-limit-exceeded")
HOST_LIMIT_NEAR = Code("DB692", "host-limit-near")

# Maintainer tools (`explain`, `check --explain`).
CONDITION_DEAD = Code("DB650", "condition-dead")
CONDITION_REDUNDANT = Code("DB651", "condition-redundant")
EXPLAIN_PATH = Code("DB652", "explain-path")
EXPLAIN_OUTSIDE_ROOT = Code("DB653", "explain-path-outside-root")

# Markdown and layout.
MARKDOWN = Code("DB701", "markdown")
TEMPLATE = Code("DB702", "layout-template")
MARKDOWN_TOO_LARGE = Code("DB703", "markdown-too-large")
TABLE_PADDED = Code("DB704", "markdown-table-padded")

# Rendered-output checks (after Markdown; a translation falls back to English for them).
RENDERED_MARKDOWN = Code("DB720", "rendered-markdown-visible")
RENDERED_LIQUID = Code("DB721", "rendered-liquid-visible")
RENDERED_ESCAPED_HTML = Code("DB722", "rendered-escaped-html")
RENDERED_TABLE_CELLS = Code("DB723", "rendered-table-cells")
RENDERED_HEADING_SKIP = Code("DB724", "rendered-heading-skip")
TRANSLATION_HEADINGS_LOST = Code("DB725", "translation-heading-lost")
TRANSLATION_LIST_LOST = Code("DB726", "translation-list-lost")

# Content rules: `docs-builder lint`, and `check` when data/lint.yml exists or with --lint (docs/lint.md).
LINT_IMAGE_ALT = Code("DB740", "image-alt")
LINT_HEADING_INCREMENT = Code("DB741", "heading-increment")
LINT_FENCE_LANGUAGE = Code("DB742", "fence-language")
LINT_LINK_TEXT = Code("DB743", "link-text")
LINT_HARDCODED_NAME = Code("DB744", "hardcoded-name")
LINT_EXPIRED = Code("DB745", "expired-content")
LINT_TABLE_SHAPE = Code("DB746", "table-shape")
LINT_CONFIG = Code("DB747", "lint-config")
LINT_PATH = Code("DB748", "lint-path")

# External links (check --external).
EXTERNAL_LINK_BROKEN = Code("DB770", "external-link-broken")
EXTERNAL_LINK_UNREACHABLE = Code("DB771", "external-link-unreachable")
EXTERNAL_CACHE_DAMAGED = Code("DB772", "external-cache-damaged")
EXTERNAL_CACHE_UNWRITABLE = Code("DB773", "external-cache-unwritable")

# Complete reports.
ADOPTED_PAGES = Code("DB810", "pages-beneath-failed-index")
ALERT_MARKER_TEXT = Code("DB811", "alert-marker-with-text")

# The reader's site (sitemap, settings).
SITEMAP_NO_BASE_URL = Code("DB820", "sitemap-no-base-url")
SITE_SETTINGS = Code("DB821", "site-settings")

# Translator's tools (a translation falls back to English for them).
TRANSLATION_REPAIR_UNCERTAIN = Code("DB830", "translation-repair-uncertain")

RENDERED_FOR_RULE: dict[Code, Code] = {LINT_HEADING_INCREMENT: RENDERED_HEADING_SKIP, LINT_TABLE_SHAPE: RENDERED_TABLE_CELLS}
"""Content rules and the rendered-output check that finds the same problem (reported once, by the rule)."""

INTERNAL = Code("DB900", "internal")

ALL_CODES: tuple[Code, ...] = tuple(
    value for value in globals().values() if isinstance(value, Code)
)
