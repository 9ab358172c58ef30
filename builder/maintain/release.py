"""One version named on the command line (`ghes@3.16`, `enterprise-server@3.16`, `fpt`)."""

from __future__ import annotations

from ..core import codes
from ..core.diagnostics import Diagnostic
from ..core.errors import ConfigError
from ..versions.model import Version, VersionSpace


def one_version(space: VersionSpace, text: str, what: str) -> Version:
    """The single supported version `text` names; ConfigError (DB670) otherwise. `what` names
    the argument in the message (`diff A`, `archive RELEASE`)."""
    found = space.resolve(text)
    name, _, release = text.partition("@")
    plan = space.plan(name)
    if found is None and plan is not None and release and f"{plan.name}@{release}" in space.by_id:
        found = [space.by_id[f"{plan.name}@{release}"]]
    if found and len(found) == 1:
        return found[0]
    if found:
        example = f"{found[0].plan.short}@{found[0].release}"
        message = (f"{what} {text!r} names {len(found)} versions ({', '.join(v.id for v in found)}); "
                   f"name one, such as {example}")
    elif plan is not None and release in plan.deprecated:
        message = (f"{what} {text!r} is a deprecated release: it is no longer built from the sources; "
                   "supported: " + ", ".join(v.id for v in space.versions if v.plan is plan))
    else:
        known = ", ".join(v.id for v in space.versions)
        message = f"{what} {text!r} is not a version; known: {known}"
    raise ConfigError(Diagnostic(codes.MAINTAIN_VERSION, message))


def deprecated_release(space: VersionSpace, text: str) -> str | None:
    """`plan@release` when `text` names a deprecated release (`ghes@3.13`), else None."""
    name, _, release = text.partition("@")
    plan = space.plan(name)
    if plan is not None and release in plan.deprecated:
        return f"{plan.name}@{release}"
    return None
