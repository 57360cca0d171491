"""Split a question that asks several things into its parts ("A和B分别…", "…？…？").

Why: a question such as "服务计划执行率和投诉处理及时率分别要达到多少？" is answered by two
clauses, one per rate.  Searched as a whole, a clause naming both rates (a heading, a
list of indicators) matches it best and outranks the two that answer; the answer then
leads with it, or cites one part only.  Each part searched on its own finds its clause
(:mod:`qa.parts`).

What counts as several asks — read from the question's grammar, never from a list of
phrasings:

* a coordination (和 / 与 / 及 / 以及 / 跟 / 、) followed in its sentence by a distributive or
  comparing word (分别, 各, 各自, 两者, 有什么不同, 一致吗…): "A和B分别…" asks of A and of B;
* "先…再…": two steps, two asks.

What stays one thing: a coordination inside a name — a document title the knowledge base
holds ("标准化法和…" as part of a title), a drafting element ("术语和定义", "符号和缩略语"),
quoted wording, 《…》; a coordination without a distributive word ("前言和引言怎么写"
stays whole: most such questions ask of one thing with two words); and a relation of the
two ("规范性引用文件和参考文献的区别", "…有什么关系"), which one clause may state.

Each part is a whole question: the words the parts share (the subject before the
coordination, the question after it, the other sentences) stay in every part.

Not split: several question sentences ("…保存多久？电话投诉录音呢？").  Searched one by one,
a later sentence loses the subject the first one gave it ("又是从哪些渠道拿到的？"), and on
the tuning sets' dev questions splitting them lost more first hits than it won
(docs/evaluation-history.md "Multi-part questions"); the reranker already reads the whole question's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from grammar.wording import quoted_spans
from index.tokenize import words

COORDINATORS = frozenset({"和", "与", "及", "以及", "、"})

# Distributive or comparing words: the sentence asks of each conjunct.
_MARKER = re.compile(
    r"分别|各自|各(?![种类级个项地方位部门单位界])|两者|二者|"
    r"(?:有什么|有何|有没有|有无|有哪些)(?:不同|区别|差别|差异|变化)|不同|"
    r"(?:一致|一样|相同|变了|变化)(?:吗|么|？|\?)"
)
# A relation of the conjuncts as one thing: "A和B的区别", "A与B有什么关系".
_RELATION = re.compile(
    r"^(?:之间)?(?:的)?(?:有)?(?:什么|何|哪些)?(?:区别|差别|差异|异同|关系|联系|不同|区分|对应)"
)
# Where a conjunct ends, reading away from the coordinator.
_STOP_LEFT = frozenset(
    ["的", "对", "在", "里", "中", "把", "将", "给", "按", "从", "于", "为", "是", "有", "和"]
) | frozenset("，,：:；;（）()")
_STOP_RIGHT = frozenset(
    [
        "的",
        "对",
        "在",
        "里",
        "中",
        "时",
        "分别",
        "各",
        "各自",
        "两者",
        "二者",
        "都",
        "有",
        "是",
        "要",
        "应",
        "需",
        "需要",
        "怎么",
        "如何",
        "怎样",
        "有何",
        "有什么",
        "多少",
        "几",
        "哪些",
        "哪个",
        "什么",
        "能",
        "可以",
        "会",
        "方面",
        "之间",
        "为",
        "用",
        "取",
        "包括",
        "又",
        "还",
        "上",
        "下",
        "前",
        "后",
    ]
) | frozenset("，,：:；;（）()")
_SENTENCE_PIECE = re.compile(r"[^？?；;。！!]+")
_STEPS = re.compile(
    r"^(?P<pre>.*?)先(?P<a>[^，,。？?；;]{2,}?)[，,]?(?:再|然后|之后再|随后)(?P<b>.+)$"
)
_WORD_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
MAX_PARTS = 4  # more conjuncts than this are a list asked about as a whole


def _protected(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Spans no split may cut: quoted wording, 《titles》, and any stretch of four or more
    characters that is part of a known name (a document title, a drafting element)."""
    spans = list(quoted_spans(text))
    spans += [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》", text)]
    for name in names:
        name = name.replace(" ", "")
        if len(name) < 4:
            continue
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and text[i : j + 1] in name:
                j += 1
            if j - i >= 4:
                spans.append((i, j))
                i = j
            else:
                i += 1
    return spans


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _coordination(sentence: str, protected: Sequence[tuple[int, int]]) -> list[str]:
    """The sentence once per conjunct of its distributive coordination (``[]``: none)."""
    marker = _MARKER.search(sentence)
    if marker is None:
        return []
    toks = words(sentence)
    starts: list[int] = []
    pos = 0
    for t in toks:
        starts.append(pos)
        pos += len(t)
    coord = [
        i
        for i, t in enumerate(toks)
        if t in COORDINATORS and starts[i] < marker.start() and not _inside(starts[i], protected)
    ]
    if not coord:
        return []
    # The coordination nearest the marker: its conjuncts are what the marker distributes.
    # A chain "受理、评估和制定服务计划" is one coordination of three.
    chain = [coord[-1]]
    for i in reversed(coord[:-1]):
        between = toks[i + 1 : chain[0]]
        if between and not any(t in _STOP_RIGHT or t in _STOP_LEFT for t in between):
            chain.insert(0, i)
        else:
            break
    if len(chain) + 1 > MAX_PARTS:
        return []
    # Conjuncts: tokens between coordinators; the first reaches back, the last forward, to
    # the nearest stop word.
    first_start = chain[0]
    while first_start > 0 and toks[first_start - 1] not in _STOP_LEFT:
        first_start -= 1
    last_end = chain[-1] + 1
    while last_end < len(toks) and toks[last_end] not in _STOP_RIGHT:
        if starts[last_end] >= marker.start():
            break
        last_end += 1
    bounds = [first_start, *chain, last_end]
    conj = [toks[bounds[0] : bounds[1]]]
    conj += [toks[bounds[k] + 1 : bounds[k + 1]] for k in range(1, len(bounds) - 1)]
    if any(not c or not _WORD_CHAR.search("".join(c)) for c in conj):
        return []
    rest = sentence[starts[last_end] if last_end < len(toks) else len(sentence) :]
    if _RELATION.match(rest):
        return []  # "A和B的区别": one relation, one ask
    # A first conjunct that ran on to the sentence's start ("物业遇到紧急投诉和群体投诉")
    # gives the words beyond the last conjunct's length back to the shared context —
    # unless that would cut a name.
    if first_start == 0 and len(conj[0]) > 1:
        want = len("".join(conj[-1]))
        keep = 1
        while keep < len(conj[0]) and len("".join(conj[0][-keep:])) < want:
            keep += 1
        cut = len(conj[0]) - keep
        if cut > 0 and not _inside(starts[cut], protected):
            conj[0] = conj[0][cut:]
            first_start = cut
    # "按结构和按耐磨性": the word before the first conjunct, repeated, is shared.
    before = toks[first_start - 1] if first_start > 0 else None
    conj = [conj[0]] + [c[1:] if len(c) > 1 and c[0] == before else c for c in conj[1:]]
    head = sentence[: starts[first_start]]
    tail = sentence[starts[last_end] if last_end < len(toks) else len(sentence) :]
    return [f"{head}{''.join(c)}{tail}" for c in conj]


def _steps(sentence: str) -> list[str]:
    """ "先A再B": the two steps, each with the words before 先."""
    m = _STEPS.match(sentence)
    if m is None:
        return []
    return [f"{m['pre']}{m['a']}", f"{m['pre']}{m['b']}"]


def split_asks(question: str, names: Iterable[str] = ()) -> list[str]:
    """The parts of ``question`` as questions of their own, or ``[]`` when it asks one
    thing.  A part is the whole question with its distributive coordination ("A和B分别…")
    or its steps ("先A再B") narrowed to one conjunct: every other word — the subject,
    the question, the other sentences — is context the parts share.  ``names``: document
    titles and element names that are one thing however they are worded (a coordination
    inside them never splits)."""
    q = question.strip()
    names = list(names)
    parts: list[str] = []
    pos = 0
    for piece in _SENTENCE_PIECE.findall(q):
        start = q.index(piece, pos)
        pos = start + len(piece)
        sentence = piece.strip()
        if not _WORD_CHAR.search(sentence):
            continue
        lead = start + piece.index(sentence)
        variants = _coordination(sentence, _protected(sentence, names)) or _steps(sentence)
        parts += [f"{q[:lead]}{v}{q[lead + len(sentence) :]}" for v in variants]
    parts = list(dict.fromkeys(p.strip() for p in parts if p.strip() and p.strip() != q))
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return []
    return parts
