"""Heading candidates for building a gold outline — independent of ``ingest/``.

Used once to draft ``tests/gold/outlines/*.tsv``; every draft was then reviewed by hand
(see ``tests/gold/README.md``).  Kept so the drafting can be repeated on a new document::

    python tests/gold/tools/candidates.py FILE [BODY_START_LINE]

Text: ``pypdf`` page text for PDFs, raw lines otherwise (HTML tags stripped); runs of
one-character lines (vertical cover text, "前/言", "附/录/A") are joined.  Candidates: lines
starting with a clause number ("3. 1" and "3. 1 .9" allowed; Markdown "# 8 3 1" read as
8.3.1), 附录X, 前言/引言/参考文献/索引.  The longest chain of candidates in which each
number is a valid successor of the previous one (next sibling, first child, or next at a
shallower level) is printed as ``A``; heading-like candidates outside it as ``R`` for review.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

CJK = "\u4e00-\u9fff"
LEADER = re.compile(r"(\.{6,}|·{6,}|[.…·]{2,}\s*[\dⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩIVX]*\s*$|…{2,}\s*[\dⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩIVX]+)")
NUM = re.compile(r"^([A-Z]|\d{1,2})((?:\s?[.．]\s?\d{1,2})*)(?![\d.．])\s*(.*)$")
ANNEX = re.compile(r"^附\s*[“\"]?\s*录\s*([A-Z])(?![A-Za-z])\s*(.*)$")
ELEM = re.compile(r"^(前\s*言|引\s*言|参\s*考\s*文\s*献|索\s*引)\s*$")
Key = tuple[int | str, ...]


def read_lines(path: Path) -> list[tuple[str, str]]:
    """(page, line) pairs; page is "0" for formats without pages."""
    if path.suffix.lower() == ".pdf":
        import pypdf

        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        return [
            (str(i), ln)
            for i, page in enumerate(reader.pages, 1)
            for ln in (page.extract_text() or "").splitlines()
        ]
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".html", ".htm"):
        text = html.unescape(
            re.sub(r"<[^>]+>", "", re.sub(r"<(p|br|div|h\d|tr)[^>]*>", "\n", text))
        )
    return [("0", ln) for ln in text.splitlines()]


def join_vertical(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(lines):
        page, t = lines[k]
        j = k
        while j < len(lines) and len(lines[j][1].strip()) == 1:
            j += 1
        if j - k >= 2:
            out.append((page, "".join(x[1].strip() for x in lines[k:j])))
            out.extend((page, "") for _ in range(j - k - 1))
            k = j
            continue
        out.append((page, t))
        k += 1
    return out


def norm(s: str) -> str:
    s = re.sub(r"<[^>]+>", " ", s).replace("&nbsp;", " ").replace("\u3000", " ")
    return re.sub(r"^[\s#>*]+", "", s).replace("*", "").strip()


def short_title(rest: str) -> str:
    rest = rest.strip()
    if not rest or re.search(r"[。；;，,]", rest[:40]) or len(rest) > 40:
        return ""  # untitled clause: the text is body
    return rest


def candidates(lines: list[tuple[str, str]], start: int) -> list[dict]:
    out: list[dict] = []
    for i in range(start, len(lines)):
        page, raw = lines[i]
        s = norm(raw)
        if not s or LEADER.search(s):
            continue
        if m := ELEM.match(s):
            name = re.sub(r"\s", "", m.group(1))
            out.append({"key": None, "no": name, "parent": "", "title": name, "loc": (page, i + 1)})
            continue
        if m := ANNEX.match(s):
            rest = re.sub(r"^[（(][^)）]*[)）]", "", m.group(2)).strip()
            for j in range(i + 1, min(i + 5, len(lines))):
                t = norm(lines[j][1])
                if rest:
                    break
                if t and not re.match(r"^[（(](规范性|资料性)", t):
                    rest = t
            key: Key = (m.group(1),)
            out.append(
                {
                    "key": key,
                    "no": "附录" + m.group(1),
                    "parent": "",
                    "title": rest,
                    "loc": (page, i + 1),
                }
            )
            continue
        if raw.lstrip().startswith("#") and (
            mm := re.match(rf"^(\d{{1,2}}(?: \d{{1,2}}){{1,4}})\s+([{CJK}].*)$", s)
        ):
            s = mm.group(1).replace(" ", ".") + " " + mm.group(2)
        if mm := re.match(rf"^(\d{{1,2}})[.．、]\s*([{CJK}]{{2,15}})\s*$", s):
            s = mm.group(1) + " " + mm.group(2)
        if not (m := NUM.match(s)):
            continue
        head, tail, rest = m.groups()
        parts = [head] + [p for p in re.split(r"\s?[.．]\s?", tail) if p]
        key = tuple(p if p.isalpha() else int(p) for p in parts)
        if (isinstance(key[0], str) and len(key) == 1) or key[0] == 0:
            continue
        if len(key) == 1 and (
            not re.match(f"^[{CJK}A-Za-z]", rest) or len(rest) > 30 or re.search(r"[。，；]", rest)
        ):
            continue
        if rest.startswith(("%", "）", ")", "、", "~", "～", "-")):
            continue
        title = short_title(rest)
        if not rest and i + 1 < len(lines) and (t := norm(lines[i + 1][1])) and not NUM.match(t):
            title = re.split(r"\s{2,}", t)[0][:30]
        no = ".".join(str(p) for p in key)
        parent = ".".join(str(p) for p in key[:-1]) if len(key) > 1 else ""
        if len(key) == 2 and isinstance(key[0], str):
            parent = "附录" + key[0]
        out.append(
            {
                "key": key,
                "no": no,
                "parent": parent,
                "title": title,
                "rest": rest,
                "loc": (page, i + 1),
            }
        )
    return out


def _next(x: int | str) -> int | str:
    return x + 1 if isinstance(x, int) else chr(ord(x) + 1)


def successor(cur: Key | None, new: Key) -> bool:
    if cur is None:
        return new in ((1,), ("A",))
    if isinstance(new[0], str) and len(new) == 1:
        return new == ("A",) if isinstance(cur[0], int) else new == (_next(cur[0]),)
    if isinstance(new[0], str) and isinstance(cur[0], int):
        return False
    if new == (*cur, 1):
        return True
    return any(new == (*cur[:k], _next(cur[k])) for k in range(len(cur)))


def longest_chain(cands: list[dict]) -> set[int]:
    """Indexes of the best-scoring valid numbering chain (table rows weigh less)."""
    idx = [k for k, c in enumerate(cands) if c["key"] is not None]
    best: dict[int, float] = {}
    prev: dict[int, int | None] = {}
    for a, j in enumerate(idx):
        w = 0.6 if re.search(r"BYTE|WORD|STRING|BCD\[|\d{2,}", cands[j].get("rest", "")) else 1.0
        b, p = (w, None) if successor(None, cands[j]["key"]) else (-1e9, None)
        for i in idx[:a]:
            if best[i] + w >= b and successor(cands[i]["key"], cands[j]["key"]):
                b, p = best[i] + w, i
        best[j], prev[j] = b, p
    if not best:
        return set()
    j: int | None = max(best, key=lambda k: (best[k], -k))
    chain = set()
    while j is not None:
        chain.add(j)
        j = prev[j]
    return chain


def main(argv: list[str]) -> int:
    path = Path(argv[0])
    start = int(argv[1]) - 1 if len(argv) > 1 else 0
    cands = candidates(join_vertical(read_lines(path)), max(start, 0))
    chain = longest_chain(cands)
    for k, c in enumerate(cands):
        ok = k in chain or c["key"] is None
        if ok or (c["key"] and len(c["key"]) >= 2 and c["title"]):
            page, line = c["loc"]
            print(
                f"{'A' if ok else 'R'} p{page} L{line}\t{c['no']}\t{c['parent']}\t{c['title'][:20]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
