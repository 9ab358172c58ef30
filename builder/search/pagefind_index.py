"""Search: one Pagefind bundle per version (`/_pagefind/<version>/`), split by language."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from ..core import codes
from ..core.diagnostics import Diagnostic, Severity
from ..output import faults


async def _index_all(staging: Path, bundles: dict[str, list[tuple[Path, str]]]) -> None:
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    async with PagefindService() as service:
        for slug, files in sorted(bundles.items()):
            # The Python service answers one request per poll (0.1 s), so feed it one folder
            # per bundle: a tree of hard links to exactly this version's pages.
            # Inside the staging folder, so a killed build leaves nothing else behind.
            with tempfile.TemporaryDirectory(dir=staging, prefix=".pagefind-") as tmp:
                for source, rel in files:
                    target = Path(tmp) / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        os.link(source, target)
                    except OSError:
                        shutil.copyfile(source, target)
                faults.step("search", tmp)
                config = IndexConfig(output_path=str(staging / "_pagefind" / slug))
                index = await service.create_index(config)
                await index.add_directory(tmp)
                await index.write_files()
                await index.delete_index()


def build_search(staging: Path, bundles: dict[str, list[tuple[Path, str]]]) -> list[Diagnostic]:
    """Index pages into `staging/_pagefind/<slug>/`: `bundles` maps a slug to (file, site path)
    pairs. A search failure is a warning, never a failed build."""
    if not bundles:
        return []
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(_index_all(staging, bundles))
        else:  # called from inside an event loop (a notebook, an async host): index in a thread
            errors: list[BaseException] = []

            def run() -> None:
                try:
                    asyncio.run(_index_all(staging, bundles))
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            worker = threading.Thread(target=run)
            worker.start()
            worker.join()
            if errors:
                raise errors[0]
    except Exception as err:  # the binary is missing or crashed: the site still works
        return [Diagnostic(codes.INTERNAL, f"search index not built: {type(err).__name__}: {err}",
                           None, Severity.WARNING)]
    for slug in sorted(bundles):
        canonical_entry(staging / "_pagefind" / slug)
    return []


ENTRY = "pagefind-entry.json"


def canonical_entry(folder: Path) -> None:
    """Rewrite Pagefind's `pagefind-entry.json` as canonical JSON (keys sorted, compact, UTF-8):
    Pagefind lists the languages in no fixed order, so the file would differ from run to run.
    Its other files are named after, and made from, their content."""
    path = folder / ENTRY
    try:
        entry = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return  # no entry (nothing indexed) or not JSON: left as Pagefind wrote it
    path.write_text(json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")), "utf-8")
