"""Build cache records: plain JSON data in, the declared dataclasses out, nothing else."""

from __future__ import annotations

import datetime
import json

import pytest

from builder.core import codes
from builder.core.diagnostics import Diagnostic, Severity
from builder.core.location import Location
from builder.core.paths import check_output_path, check_output_paths
from builder.markdown_rules.parser import RenderedMarkdown
from builder.pipeline.metas import MetaRecord, PageMeta
from builder.pipeline.results import Output, PageResult
from builder.pipeline.records import PageRecord, RecordError, canonical, from_plain, is_plain, to_plain


def _result() -> PageResult:
    result = PageResult("a.md")
    result.outputs.append(Output("en/a/index.html", ["content/a.md", "data/x.yml"], "en", "fpt", "a.md",
                                 [("/b", True)]))
    result.problems.append(Diagnostic(codes.LINK_ANCHOR, "no id", Location("content/a.md", 3, 4, "see [b](/b#x)", 6),
                                      Severity.WARNING, ("a note",), ("fpt",)))
    result.anchors[("en", "fpt")] = ("main", "title")
    return result


def test_a_page_record_reads_back_equal_and_writes_the_same_text():
    record = PageRecord("f" * 40, _result())
    text = canonical(to_plain(record, PageRecord))
    back = from_plain(json.loads(text), PageRecord, "record")
    assert back == record
    assert canonical(to_plain(back, PageRecord)) == text


def test_versions_sharing_one_meta_are_written_once_and_read_back_shared():
    shared = PageMeta("Title", intro=RenderedMarkdown("<p>x</p>\n"), reads={"b", "a"})
    record = MetaRecord(("fpt", "ghec"), (("content/a.md", "1" * 64),), {"fpt": shared, "ghec": shared,
                                                                         "ghes": PageMeta("Other")}, [])
    plain = to_plain(record, MetaRecord)
    assert len(plain["metas"]) == 2 and plain["metas"][0]["reads"] == ["a", "b"]
    back = from_plain(json.loads(canonical(plain)), MetaRecord, "record")
    assert back == record
    assert back.metas["fpt"] is back.metas["ghec"]


@pytest.mark.parametrize("value", [
    datetime.date(2024, 1, 1), {1, 2}, b"bytes", float("nan"), {1: "int key"}, ("tuple",), [[[[{"x": object()}]]]],
])
def test_only_plain_json_data_is_plain(value):
    assert not is_plain({"key": value})


@pytest.mark.parametrize("edit, message", [
    (lambda p: p["result"].__setitem__("failed", True),
     "record.result.failed: expected an integer, found true or false"),
    (lambda p: p["result"]["outputs"][0]["sources"].__setitem__(1, 7),
     "record.result.outputs[0].sources[1]: expected text, found an integer"),
    (lambda p: p["result"]["problems"][0].__setitem__("severity", "fatal"),
     "record.result.problems[0].severity: 'fatal' is not a severity"),
    (lambda p: p["result"]["problems"][0]["location"].pop("col"),
     "record.result.problems[0].location: missing field 'col'"),
    (lambda p: p["result"].__setitem__("py/object", "os.system"), "record.result: unknown field 'py/object'"),
    (lambda p: p["result"]["anchors"][0].append("extra"), "record.result.anchors[0]: expected a [key, value] pair"),
])
def test_a_record_that_is_not_what_it_declares_is_refused(edit, message):
    plain = to_plain(PageRecord("f" * 40, _result()), PageRecord)
    edit(plain)
    with pytest.raises(RecordError) as err:
        from_plain(plain, PageRecord, "record")
    assert str(err.value) == message


@pytest.mark.parametrize("rel", ["a", "a/b.html", ".well-known/x", "a..b/c", "..a", "a/.", "a/..", "../a", "./a",
                                 "/a", "a//b", "a/", "", "a\\b", "a\nb", "é/x", "a b"])
def test_the_fast_path_of_check_output_paths_agrees_with_the_policy(rel):
    found = check_output_paths([rel])
    issue = check_output_path(rel)
    assert (found is None) == (issue is None)
    if found is not None:
        assert found == (rel, issue)


def test_the_fast_path_agrees_with_the_policy_on_random_paths():
    import random

    rng = random.Random(10)
    alphabet = "ab./-_~\\ \n\t%é\u2028@:"
    for _ in range(20000):
        rel = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        found = check_output_paths([rel])
        assert (found is None) == (check_output_path(rel) is None), repr(rel)
