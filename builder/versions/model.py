"""Plans, releases and site versions, built from `data/versions.yml` (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

RELEASE_RE = re.compile(r"^\d+(\.\d+){1,2}$")


def release_key(release: str) -> tuple[int, ...]:
    """Sort key comparing releases as versions: 3.10 > 3.9."""
    return tuple(int(part) for part in release.split("."))


@dataclass(frozen=True)
class Plan:
    short: str
    name: str
    title: str
    releases: tuple[str, ...] = ()
    """Supported releases, newest first. Empty for plans without numbered releases."""
    deprecated: tuple[str, ...] = ()
    """Releases that may appear in content but are not built, newest first."""

    @property
    def numbered(self) -> bool:
        return bool(self.releases)


@dataclass(frozen=True)
class Version:
    """One built version of the site, such as `enterprise-server@3.17`."""

    id: str
    plan: Plan
    release: str
    index: int
    """Position in site order (plans in order, releases newest first)."""
    is_default: bool

    @property
    def short(self) -> str:
        return self.plan.short

    @property
    def segment(self) -> str:
        """URL segment: empty for the default plan, else the version string."""
        return "" if self.is_default else self.id

    @property
    def title(self) -> str:
        if self.plan.numbered:
            return f"{self.plan.title} {self.release}"
        return self.plan.title

    @property
    def slug(self) -> str:
        """A filesystem- and filter-friendly name: `fpt`, `ghes-3.17`."""
        return f"{self.short}-{self.release}" if self.plan.numbered else self.short


class VersionError(ValueError):
    """`data/versions.yml` does not describe a usable set of versions."""


@dataclass
class VersionSpace:
    """Every plan and version of the site, in URL and sort order."""

    plans: tuple[Plan, ...]
    retired: frozenset[str]
    versions: tuple[Version, ...] = field(init=False)
    by_id: dict[str, Version] = field(init=False)
    plans_by_key: dict[str, Plan] = field(init=False)

    def __post_init__(self) -> None:
        versions: list[Version] = []
        for i, plan in enumerate(self.plans):
            for release in plan.releases or ("latest",):
                versions.append(
                    Version(f"{plan.name}@{release}", plan, release, len(versions), i == 0)
                )
        self.versions = tuple(versions)
        self.by_id = {v.id: v for v in versions}
        self.plans_by_key = {}
        for plan in self.plans:
            self.plans_by_key[plan.short] = plan
            self.plans_by_key[plan.name] = plan

    @classmethod
    def from_data(cls, data: object) -> VersionSpace:
        """Build from the parsed YAML of `data/versions.yml`; raises `VersionError`."""
        if not isinstance(data, dict) or not isinstance(data.get("plans"), list) or not data["plans"]:
            raise VersionError("expected a mapping with a non-empty 'plans' list")
        unknown = sorted(set(data) - {"plans", "retired"})
        if unknown:
            raise VersionError(f"unknown key {unknown[0]!r}; expected 'plans' and 'retired'")
        plans: list[Plan] = []
        seen: set[str] = set()
        for i, raw in enumerate(data["plans"]):
            where = f"plans[{i}]"
            if not isinstance(raw, dict):
                raise VersionError(f"{where}: expected a mapping with short, name and title")
            extra = sorted(set(raw) - {"short", "name", "title", "releases", "deprecated"})
            if extra:
                raise VersionError(f"{where}: unknown key {extra[0]!r}")
            for key in ("short", "name"):
                value = raw.get(key)
                if not isinstance(value, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", value):
                    raise VersionError(
                        f"{where}.{key}: expected a lower-case name such as 'ghes', found {value!r}"
                    )
                if value in seen:
                    raise VersionError(f"{where}.{key}: {value!r} is used twice")
                seen.add(value)
            title = raw.get("title", raw["name"])
            if not isinstance(title, str):
                raise VersionError(f"{where}.title: expected text, found {title!r}")
            releases = _releases(raw.get("releases"), f"{where}.releases")
            deprecated = _releases(raw.get("deprecated"), f"{where}.deprecated")
            if raw.get("releases") is not None and not releases:
                raise VersionError(f"{where}.releases: expected at least one release")
            if deprecated and not releases:
                raise VersionError(f"{where}.deprecated: a plan without releases cannot deprecate any")
            both = set(releases) & set(deprecated)
            if both:
                raise VersionError(f"{where}: release {sorted(both)[0]!r} is both supported and deprecated")
            plans.append(Plan(raw["short"], raw["name"], title, releases, deprecated))
        retired_raw = data.get("retired") or []
        if not isinstance(retired_raw, list) or not all(isinstance(r, str) for r in retired_raw):
            raise VersionError("retired: expected a list of names")
        clash = seen & set(retired_raw)
        if clash:
            raise VersionError(f"retired: {sorted(clash)[0]!r} is also a live plan")
        return cls(tuple(plans), frozenset(retired_raw))

    # Lookups -----------------------------------------------------------------

    @property
    def default(self) -> Version:
        return self.versions[0]

    def plan(self, key: str) -> Plan | None:
        """A plan by short or long name."""
        return self.plans_by_key.get(key)

    def latest(self, plan: Plan) -> Version:
        return self.by_id[f"{plan.name}@{plan.releases[0] if plan.releases else 'latest'}"]

    def resolve(self, text: str) -> list[Version] | None:
        """Versions named by a CLI argument: a version string, `plan@latest`, or a plan name."""
        if text in self.by_id:
            return [self.by_id[text]]
        name, _, release = text.partition("@")
        plan = self.plan(name)
        if plan is None:
            return None
        if not release:
            return [v for v in self.versions if v.plan is plan]
        if release == "latest":
            return [self.latest(plan)]
        return None

    def sorted(self, ids) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda i: self.by_id[i].index))


def _releases(raw: object, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise VersionError(f"{where}: expected a list of release numbers")
    out: list[str] = []
    for item in raw:
        text = str(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else item
        if not isinstance(text, str) or not RELEASE_RE.match(text):
            raise VersionError(f"{where}: expected release numbers such as \"3.17\", found {item!r}")
        if isinstance(item, float):
            raise VersionError(
                f"{where}: release {item!r} must be quoted (\"{item}\"), or YAML reads 3.10 as 3.1"
            )
        if text in out:
            raise VersionError(f"{where}: release {text!r} is listed twice")
        out.append(text)
    return tuple(sorted(out, key=release_key, reverse=True))
