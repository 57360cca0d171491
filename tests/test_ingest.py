"""End-to-end ingestion: files on disk → clause store, through the public entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grammar.schema import Clause
from ingest import pipeline
from ingest.pipeline import FileStatus, ingest_paths, process_file, resegment_store
from ingest.store import ClauseStore
from tests.conftest import ROOT, SAMPLES

GB_TEXT = """ICS 03.080
团体标准
T/XX 009—2024
示例洗衣服务规范
前言
本文件按照GB/T 1.1—2020的规定起草。
1　范围
本文件规定了洗衣服务的要求。
2　规范性引用文件
本文件没有规范性引用文件。
3　术语和定义
本文件没有需要界定的术语和定义。
4　服务要求
4.1　收衣时应当面检查衣物。
4.2　交付时间不应超过72 h。
"""


def run_ingest(
    tmp_path: Path, *paths: Path, **kw: object
) -> tuple[ClauseStore, pipeline.IngestReport]:
    store = ClauseStore(tmp_path / "ws" / "kbs" / "default")
    report = ingest_paths(list(paths), store, kb="default", **kw)
    return store, report


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_gb_text_file_metadata_and_clauses(tmp_path: Path) -> None:
    f = write(tmp_path / "in" / "laundry.txt", GB_TEXT)
    processed = process_file(f)
    [doc] = processed.documents
    assert doc.info.title == "示例洗衣服务规范"
    assert doc.info.standard_code == "T/XX 009—2024"
    assert [c.clause_no for c in doc.clauses] == ["", "前言", "1", "2", "3", "4", "4.1", "4.2"]
    c42 = doc.clauses[-1]
    assert c42.text == "交付时间不应超过72 h。"
    assert c42.source == str(f.resolve())
    assert doc.text[c42.start : c42.end].startswith("4.2")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings(tmp_path: Path, encoding: str) -> None:
    f = write(tmp_path / f"doc-{encoding}.txt", GB_TEXT, encoding)
    [doc] = process_file(f).documents
    assert doc.info.title == "示例洗衣服务规范"
    assert doc.clauses[-1].text == "交付时间不应超过72 h。"


def test_reingest_is_idempotent_and_changes_replace(tmp_path: Path) -> None:
    f = write(tmp_path / "in" / "a.txt", GB_TEXT)
    g = write(tmp_path / "in" / "b.txt", GB_TEXT.replace("洗衣", "保洁").replace("009", "010"))
    store, report = run_ingest(tmp_path, tmp_path / "in")
    assert report.count(FileStatus.INGESTED) == 2
    generation = store.generation
    b_clauses = [c.to_dict() for c in store.iter_clauses() if c.source == str(g.resolve())]

    store, report = run_ingest(tmp_path, tmp_path / "in")
    assert report.count(FileStatus.UNCHANGED) == 2
    assert store.generation == generation  # nothing rewritten

    write(f, GB_TEXT + "4.3　洗涤后应质检。\n")
    store, report = run_ingest(tmp_path, tmp_path / "in")
    assert [r.status for r in report.files] == [FileStatus.INGESTED, FileStatus.UNCHANGED]
    a_nos = [c.clause_no for c in store.iter_clauses() if c.source == str(f.resolve())]
    assert a_nos[-3:] == ["4.1", "4.2", "4.3"]
    assert a_nos.count("4.1") == 1  # old clauses replaced, not duplicated
    assert [c.to_dict() for c in store.iter_clauses() if c.source == str(g.resolve())] == b_clauses


def test_one_bad_file_never_loses_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write(tmp_path / "in" / "good.txt", GB_TEXT)
    bad = write(tmp_path / "in" / "bug.txt", GB_TEXT.replace("009", "011"))
    store, _ = run_ingest(tmp_path, good)
    before = [c.to_dict() for c in store.iter_clauses()]

    real = pipeline.process_file

    def flaky(path: Path, **kw: object) -> pipeline.ProcessedFile:
        if path.name == "bug.txt":
            raise RuntimeError("segmenter bug")
        return real(path, **kw)

    monkeypatch.setattr(pipeline, "process_file", flaky)
    write(good, GB_TEXT + "4.3　新增条款。\n")
    store, report = run_ingest(tmp_path, tmp_path / "in")
    by_name = {Path(r.path).name: r for r in report.files}
    assert by_name["bug.txt"].status is FileStatus.FAILED
    assert "segmenter bug" in by_name["bug.txt"].reason
    assert by_name["good.txt"].status is FileStatus.INGESTED
    assert report.ok
    assert str(bad.resolve()) not in store.sources()
    assert len(list(store.iter_clauses())) == len(before) + 1


def test_bad_inputs_have_one_line_reasons(tmp_path: Path) -> None:
    d = tmp_path / "in"
    write(d / "binary.txt", "").write_bytes(b"\x00\x01\x02\xff" * 100)
    write(d / "empty.txt", "")
    write(d / "boiler.txt", "相关文档\n别的文档\n")
    write(d / "image.png", "png")
    write(d / "old.doc", "doc")
    write(d / "broken.pdf", "").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    write(d / "broken.docx", "not a zip")
    write(d / "big.txt", GB_TEXT * 50)
    store, report = run_ingest(tmp_path, d, tmp_path / "missing.txt", max_bytes=4096)
    reasons = {Path(r.path).name: (r.status, r.reason) for r in report.files}
    assert all(status is FileStatus.SKIPPED for status, _ in reasons.values()), reasons
    assert all(reason and "\n" not in reason for _, reason in reasons.values())
    assert "二进制" in reasons["binary.txt"][1]
    assert "空文件" in reasons["empty.txt"][1]
    assert "没有正文" in reasons["boiler.txt"][1]
    assert ".png" in reasons["image.png"][1]
    assert ".docx" in reasons["old.doc"][1]
    assert "PDF" in reasons["broken.pdf"][1]
    assert "DOCX" in reasons["broken.docx"][1]
    assert "过大" in reasons["big.txt"][1]
    assert "不存在" in reasons["missing.txt"][1]
    assert not report.ok
    assert store.sources() == {}


def test_duplicate_content_and_prune(tmp_path: Path) -> None:
    d = tmp_path / "in"
    a = write(d / "a.txt", GB_TEXT)
    write(d / "copy" / "a-copy.txt", GB_TEXT)
    _, report = run_ingest(tmp_path, d)
    statuses = sorted(r.status for r in report.files)
    assert statuses == [FileStatus.DUPLICATE, FileStatus.INGESTED]
    a.unlink()
    # the remaining copy takes over the deleted original's entry: the document survives
    _, report = run_ingest(tmp_path, d, prune=True)
    assert [Path(r.path).name for r in report.files if r.status is FileStatus.INGESTED] == [
        "a-copy.txt"
    ]
    assert report.kb_documents == 1
    b = d / "copy" / "a-copy.txt"
    b.unlink()
    _, report = run_ingest(tmp_path, d, prune=True)
    assert report.removed_sources == [str(b.resolve())] and report.kb_documents == 0


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_cli_json_summary_and_exit_codes(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    f = write(tmp_path / "in" / "a.txt", GB_TEXT)
    bad = write(tmp_path / "in" / "b.txt", "")
    done = cli(str(f), str(bad), "--workspace", ws, "--kb", "试验库", "--json", "-q")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["kb"] == "试验库"
    assert (summary["ingested"], summary["skipped"], summary["documents"]) == (1, 1, 1)
    assert summary["clauses"] == 8
    assert {r["status"] for r in summary["results"]} == {"ingested", "skipped"}

    only_bad = cli(str(bad), "--workspace", ws, "-q")
    assert only_bad.returncode == 1
    assert "空文件" in only_bad.stdout

    listing = cli("--list", "--json", "--workspace", ws, "--kb", "试验库")
    docs = json.loads(listing.stdout)
    assert [d["title"] for d in docs] == ["示例洗衣服务规范"]

    bad_kb = cli(str(f), "--workspace", ws, "--kb", "../escape")
    assert bad_kb.returncode == 2 and "知识库名称无效" in bad_kb.stderr

    removed = cli("--remove", docs[0]["doc_id"], "--workspace", ws, "--kb", "试验库")
    assert removed.returncode == 0
    assert json.loads(cli("--list", "--json", "--workspace", ws, "--kb", "试验库").stdout) == []


# ---------------------------------------------------------------- bundled samples
def test_bundled_laws(tmp_path: Path) -> None:
    [doc] = process_file(SAMPLES / "laws" / "law_biaozhunhuafa_2017.txt").documents
    assert doc.info.title == "中华人民共和国标准化法"
    articles = [c.clause_no for c in doc.clauses if c.kind == "article"]
    assert articles[0] == "第一条" and articles[-1] == "第四十五条" and len(articles) == 45
    tenth = next(c for c in doc.clauses if c.clause_no == "第十条")
    assert [h.no for h in tenth.heading_path] == ["第二章"]
    assert "SOURCE" not in doc.text


def test_bundled_sample_standards() -> None:
    files = sorted((SAMPLES / "standards").glob("*.txt"))
    assert len(files) >= 3, "samples/standards/*.txt missing"
    for f in files:
        [doc] = process_file(f).documents
        code = doc.info.standard_code
        assert code is not None and code.startswith("T/BZQC"), f.name
        chapters = [int(c.clause_no) for c in doc.clauses if c.kind == "chapter"]
        assert chapters == list(range(1, len(chapters) + 1)), f.name
        assert chapters[:3] == [1, 2, 3]
        nos = [c.clause_no for c in doc.clauses]
        assert "前言" in nos and "附录A" in nos, f.name
        assert len(nos) == len(set(nos)), f"duplicate clause numbers in {f.name}"
        for c in doc.clauses:
            if c.kind == "annex_clause":
                assert c.annex_type is not None, (f.name, c.clause_no)


def _sample_standard(code: str) -> dict[str, Clause]:
    [path] = (SAMPLES / "standards").glob(f"T_BZQC_{code}-2025_*.txt")
    [doc] = process_file(path).documents
    assert doc.info.standard_code == f"T/BZQC {code}—2025"
    return {c.clause_no: c for c in doc.clauses}


def test_sample_standard_001_elderly_care() -> None:
    cl = _sample_standard("001")
    assert cl["前言"].text.startswith("本文件按照GB/T 1.1—2020《标准化工作导则")
    # term entry: number alone on its line, term + English on the next, then the definition
    term = cl["3.2"]
    assert term.kind == "term" and term.clause_title == "服务对象 service recipient"
    assert term.text.startswith("接受社区居家养老服务的老年人。") and "注：" in term.text
    # a four-level clause under titled parents
    deep = cl["6.2.1.2"]
    assert [h.no for h in deep.heading_path] == ["6", "6.2", "6.2.1"]
    assert deep.heading_path[-1].title == "首次评估"
    assert deep.text.startswith("评估应由不少于2名评估人员实施")
    # 表1 stays inside the clause that introduces it, rows and note included
    table = cl["5.1"]
    assert table.clause_title == "服务项目"
    assert "表1 服务项目及频次" in table.text
    assert "助洁 | 居室清洁、衣物清洗、物品整理 | 每周2次" in table.text
    assert table.text.rstrip().endswith("服务协议可约定更高的频次。")
    # 列项 with two levels stays in its clause
    training = cl["4.2.2.2"]
    assert "c) 照护技能，包括：" in training.text and "3) 认知障碍老年人照护技能；" in training.text
    assert (
        cl["附录A"].annex_type == "normative"
        and cl["附录A"].clause_title == "服务质量评价指标和评价方法"
    )
    assert cl["A.1.1"].annex_type == "normative" and "（A.1）" in cl["A.1.1"].text
    assert cl["B.2"].annex_type == "informative"
    assert cl["7.4.2"].text == "服务记录的保存期限应不少于3年。"


def test_sample_standard_002_drafting_guide() -> None:
    cl = _sample_standard("002")
    assert "引言" in cl and cl["3"].text.startswith("GB/T 20000.1界定的以及下列术语和定义")
    assert cl["3.7"].clause_title == "悬置段 hanging paragraph"
    assert "五个层次" in cl["5.3.2"].text and "5.1.1.1.1" in cl["5.3.2"].text
    assert cl["5.5.3"].text.startswith("列项最多分为两个层次。")
    modal = cl["8.1.2"]
    assert "表2 能愿动词及其等效表述" in modal.text and "允许 | 不必 | 可以不、无须" in modal.text
    assert "表1 服务标准的要素及其类别" in cl["4.2.1"].text
    assert [h.no for h in cl["7.5.3.2"].heading_path] == ["7", "7.5", "7.5.3"]
    assert "本文件没有规范性引用文件。" in cl["7.2.5"].text
    # annex heading on one line: number, status and title
    assert (
        cl["附录A"].annex_type == "normative" and cl["附录A"].clause_title == "服务标准的名称和编号"
    )
    assert cl["附录B"].annex_type == "informative" and cl["B.1"].annex_type == "informative"


def test_sample_standard_003_complaints() -> None:
    cl = _sample_standard("003")
    assert cl["3.8"].clause_title == "群体投诉 collective complaint"
    assert "注1：" in cl["3.8"].text and "注2：" in cl["3.8"].text
    assert [h.no for h in cl["6.5.2.2"].heading_path] == ["6", "6.5", "6.5.2"]
    assert cl["6.5.2.2"].text == "每件投诉延期的时间累计不应超过10个工作日。"
    limits = cl["A.2"]
    assert limits.annex_type == "normative"
    assert (
        "表A.1 投诉响应时限和办结时限" in limits.text
        and "一般投诉 | 12 h | 3个工作日" in limits.text
    )
    assert cl["8.2"].text == "投诉档案的保存期限应不少于5年。"


def test_sample_standards_untitled_clause_titles() -> None:
    """Correct GB/T 1.1 constructs that the title splitter currently gets wrong."""
    c1, c2, c3 = _sample_standard("001"), _sample_standard("002"), _sample_standard("003")
    # requirement sentences whose first words recur later are not "doubled titles"
    assert c1["4.1.5"].clause_title == "" and c1["4.1.5"].text.startswith("服务机构宜投保")
    assert c3["5.3.3"].clause_title == "" and c3["5.3.3"].text.startswith("物业服务企业应在")
    assert c2["7.2.3"].clause_title == "注日期引用和不注日期引用"
    # "响应" is a word, not the modal verb 应
    assert c3["6.3"].clause_title == "受理与响应" and c3["6.3"].text == ""
    # a clause sentence that begins with the word 前言 is not the element heading 前言
    assert c2["6.2.1"].clause_title == "" and c2["6.2.1"].text.startswith("前言不编章号")
    # a lead-in sentence ending in "：" is body text, not a title
    assert c2["4.2.3"].clause_title == "" and c2["4.2.3"].text.startswith("服务标准的核心技术要素")
    assert c3["9.2.1"].clause_title == "" and c3["9.2.1"].text.startswith("投诉处理满意率按公式")


# ---------------------------------------------------------------- real scraped pages
def test_web_guide_000_basic_requirements(web_guides: Path) -> None:
    [path] = web_guides.glob("000_*.txt")
    docs = process_file(path).documents
    clauses = [c for d in docs for c in d.clauses]
    sub = {c.clause_no: c for c in clauses if c.clause_no.startswith("3.") and c.kind == "clause"}
    assert sorted(sub) == [f"3.{i}" for i in range(1, 9)]
    for c in sub.values():
        assert c.heading_path[-1].label() == "3 基本要求"
    assert sub["3.7"].text.startswith("标准应结构合理")
    # the 2525 method: five stages and 25 tasks
    text = "\n".join(c.text for c in clauses)
    for stage in ("试点启动阶段", "搭建框架阶段", "建立体系阶段", "宣贯实施阶段", "评估准备阶段"):
        assert stage in text
    assert any("2525" in c.text or "2525" in c.clause_title for c in clauses)
    # a collection: many documents, each with its own title
    assert len(docs) >= 15
    assert "服务品牌标准化方案模板" in [d.info.title for d in docs]


def test_web_guides_have_no_site_boilerplate(web_guides: Path) -> None:
    noise = (
        "原创力文档",
        "下载文档前请自行甄别",
        "仅部分预览",
        "相关文档",
        "最新文档",
        "合集下载",
        "您现在的位置是",
        "\ufffd",
    )
    for path in sorted(web_guides.glob("*.txt")):
        for doc in process_file(path).documents:
            for c in doc.clauses:
                blob = f"{c.doc_title}\n{c.clause_title}\n{c.text}"
                assert not any(n in blob for n in noise), (path.name, c.clause_no, blob[:80])
                assert "\nh\n" not in f"\n{c.text}\n"  # slide markers gone


def test_web_guides_titles_and_collections(web_guides: Path) -> None:
    titles = {
        p.name[:3]: [d.info.title for d in process_file(p).documents]
        for p in sorted(web_guides.glob("*.txt"))
    }
    assert titles["001"] == ["服务标准体系包括什么?"]
    assert titles["003"] == ["经营服务标准流程"]
    assert len(titles["004"]) >= 15
    assert "医院优质服务制度" in titles["004"]
    assert len(titles["002"]) >= 5


def test_renamed_file_takes_over_its_old_entry(tmp_path: Path) -> None:
    """Renaming a file and re-ingesting (with --prune) keeps the document: the renamed
    file is not a "duplicate" of a path that no longer exists."""
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore

    folder = tmp_path / "docs"
    folder.mkdir()
    src = next((SAMPLES / "standards").glob("T_BZQC_003-*.txt"))
    (folder / "a.txt").write_bytes(src.read_bytes())
    store = ClauseStore(tmp_path / "kb")
    ingest_paths([folder], store, kb="t")
    (folder / "a.txt").rename(folder / "b.txt")
    report = ingest_paths([folder], store, kb="t", prune=True)
    assert [Path(s).name for s in store.sources()] == ["b.txt"]
    assert report.kb_documents == 1 and report.ok


def test_non_utf8_file_name_gets_a_clear_reason(tmp_path: Path) -> None:
    import os

    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore

    folder = tmp_path / "zip"
    folder.mkdir()
    gbk_name = os.fsencode(folder) + b"/\xb1\xea\xd7\xbc.txt"  # "标准" in GBK
    with open(gbk_name, "wb") as fh:
        fh.write(GB_TEXT.encode("utf-8"))
    write(folder / "ok.txt", GB_TEXT.replace("服务", "保洁服务"))
    report = ingest_paths([folder], ClauseStore(tmp_path / "kb"), kb="t")
    bad = [r for r in report.files if r.status is FileStatus.SKIPPED]
    assert len(bad) == 1 and "UTF-8" in bad[0].reason
    assert report.ok and report.kb_documents == 1
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # the summary prints


# ---------------------------------------------------------------- resegment
def test_resegment_from_stored_lines_without_the_file(tmp_path: Path) -> None:
    f = write(tmp_path / "in" / "a.txt", GB_TEXT)
    store, _ = run_ingest(tmp_path, f)
    before = list(store.iter_clauses())
    [entry] = store.sources().values()
    assert store.source_lines(entry)  # the extracted lines are kept
    f.unlink()  # resegment must not need the original file
    report = resegment_store(store, kb="t")
    after = list(store.iter_clauses())
    assert report.from_lines == 1 and not report.failed
    assert [c.clause_id for c in after] == [c.clause_id for c in before]
    assert [c.text for c in after] == [c.text for c in before]
    assert report.changed == 0  # identical text: the embedding cache serves every clause


def test_resegment_old_store_falls_back_to_stored_text(tmp_path: Path) -> None:
    f = write(tmp_path / "in" / "a.txt", GB_TEXT)
    store, _ = run_ingest(tmp_path, f)
    # A store written before lines were kept: drop them from the manifest (snapshot first,
    # so that the whole state is in manifest.json and the journal is empty).
    store.compact()
    manifest = json.loads((store.root / "manifest.json").read_text(encoding="utf-8"))
    for raw in manifest["sources"].values():
        raw["text_files"].pop("@lines")
    (store.root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    store.reload()
    f.unlink()
    before = [c.clause_no for c in store.iter_clauses()]
    report = resegment_store(store, kb="t")
    assert report.from_text == 1 and not report.failed
    assert [c.clause_no for c in store.iter_clauses()] == before


def test_cli_resegment(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    f = write(tmp_path / "in" / "a.txt", GB_TEXT)
    assert cli(str(f), "--workspace", ws, "-q").returncode == 0
    done = cli("--resegment", "--workspace", ws, "--json", "-q")
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    assert d["sources"] == 1 and d["clauses_before"] == d["clauses_after"] == 8
    missing = cli("--resegment", "--workspace", ws, "--kb", "无此库")
    assert missing.returncode == 2
