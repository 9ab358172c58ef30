"""`docs-builder translations`: the status report for translators."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_translations(args) -> int:
    from ..core import codes as dc
    from ..core.diagnostics import Diagnostic
    from ..core.errors import ConfigError
    from ..i18n.gitinfo import GitHistory
    from ..i18n.status import language_status
    from ..i18n.status_page import render_github, render_text
    from ..pipeline.build import BuildOptions, run_build
    from ..sources.config import load_config
    from ..sources.content import load_content
    from ..sources.data import DataStore

    config = load_config(Path(args.root))
    translations = [lang for lang in config.languages if not lang.is_default]
    codes = args.languages or [lang.code for lang in translations]
    for code in codes:
        if code not in {lang.code for lang in translations}:
            raise ConfigError(Diagnostic(dc.CONFIG_SELECTION, f"--language {code!r} is not a translation; "
                                         f"translations: {', '.join(l.code for l in translations) or 'none'}"))
    report = run_build(BuildOptions(root=Path(args.root), languages=codes, write=False, search=False))
    # The status needs only the English tree, not the rest of a site.
    tree = load_content(config, DataStore(config))
    history = GitHistory.load(config.root)
    results = [language_status(config.root, tree, lang, history, report.translation.get(lang.code, {}))
               for lang in translations if lang.code in codes]
    dirs = {lang.code: lang.dir for lang in translations if lang.code in codes}
    problems = {code: [d for d in report.problems if d.location and d.location.path.startswith(folder + "/")]
                for code, folder in dirs.items()}
    if args.format == "json":
        doc = {"languages": [{**st.to_json(), "problems": [d.to_json() for d in problems[st.code]]} for st in results]}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    elif args.format == "github":
        sys.stdout.write(render_github(results, problems))
    else:
        sys.stdout.write(render_text(results))
    return 0
