"""`.build/manifest.json` is written part by part (a big site's has half a million entries): its
text is the one json.dumps makes of the whole manifest."""

from __future__ import annotations

import hashlib
import json

from builder.pipeline.manifest import write_manifest
from builder.pipeline.results import Output


def test_the_manifest_written_in_parts_is_the_whole_one_dumped(tmp_path):
    outputs = [Output("fr/caf\u00e9/index.html", ("content/caf\u00e9.md",), "fr", "fpt", "caf\u00e9.md", digest="d1"),
               Output("en/a/index.html", ("content/a.md", "data/x.yml"), "en", "fpt", "a.md", digest="d2")]
    extra = {f"en/old/{i:05d}/index.html": [] for i in range(9000)}  # more than one part of extra_outputs
    extra.update({"en/a/index.md": ["content/a.md"], "sitemap.xml": [], "en/a/index.html": ["ignored"],
                  "fr/\u00e9t\u00e9/index.html": []})
    digests = {"sitemap.xml": "s1", "en/a/index.md": "m1"}
    source = {"commit": "abc", "dirty": False}
    write_manifest(None, tmp_path, outputs, extra, digests, source)

    text = (tmp_path / ".build/manifest.json").read_text("utf-8")
    compact = (",", ":")
    entries = {o.path: json.dumps(o.path, ensure_ascii=False) + ":" + json.dumps(
        {"sources": list(o.sources), "digest": o.digest, "page": o.page, "lang": o.lang, "version": o.version},
        ensure_ascii=False, separators=compact) for o in outputs}  # a page's entry: UTF-8
    for path, sources in extra.items():  # the others': ASCII, as json.dumps writes by default
        entries.setdefault(path, json.dumps(path) + ":" + json.dumps(
            {"sources": sources, "digest": digests.get(path, "")}, separators=compact))
    rest = ('"source":' + json.dumps(source, sort_keys=True) + ',"extra_outputs":'
            + json.dumps(sorted(extra), ensure_ascii=False) + ',"outputs":{'
            + ",".join(entries[path] for path in sorted(entries)) + "}}\n")
    head, _, body = text.partition('"source":')
    assert '"source":' + body == rest
    assert f'"checksum":"sha256:{hashlib.sha256(rest.encode()).hexdigest()}"' in head
    assert json.loads(text)["outputs"]["en/a/index.html"]["page"] == "a.md"  # the page's own entry wins
