"""The render under way in this thread or task, for the tags and the limits: a `state.RenderState`,
or None outside a render."""

from __future__ import annotations

from contextvars import ContextVar

CURRENT: ContextVar = ContextVar("docs_builder_render_state", default=None)
