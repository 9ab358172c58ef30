"""`docs-builder translations`: the status report for translators."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_translations(args) -> int:
    from ..pipeline.build import BuildOptions, run_build
    from ..pipeline.site import Site
    from ..pipeline.status_page import render_text, statuses

    site = Site(Path(args.root))
    codes = args.languages or [lang.code for lang in site.config.languages if not lang.is_default]
    for code in codes:
        lang = site.config.language(code)
        if lang is None or lang.is_default:
            from ..core import codes as dc
            from ..core.diagnostics import Diagnostic
            from ..core.errors import ConfigError

            raise ConfigError(Diagnostic(dc.CONFIG_SELECTION, f"--language {code!r} is not a translation; "
                                         f"translations: {', '.join(l.code for l in site.config.languages if not l.is_default) or 'none'}"))
    report = run_build(BuildOptions(root=Path(args.root), languages=codes, write=False, search=False))
    results = statuses(site, report.translation, codes)
    if args.format == "json":
        print(json.dumps({"languages": [st.to_json() for st in results]}, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(render_text(results))
    return 0
