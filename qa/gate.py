"""The refusal gate: does the best retrieved clause actually state what was asked?

A cosine threshold cannot tell "the right document, the asked thing not in it" from "the
right clause, paraphrased": the unanswerable questions of real use are near misses on the
right document (a value the standard never gives, a property it does not regulate), and
their best hits are as close in embedding space as true answers.  What separates them is
whether the clauses *contain* what the question is about:

* the question's topic words — with the names of documents it points at removed, since a
  document's name is in every one of its clauses and says nothing about the asked thing —
  found in the top clause's text, in its heading path, or in none of the top clauses;
* a quantity asked ("多少", "几天", "最大…") against numbers present in the clause;
* the drafting element asked against the clause's own element (it governs it);
* both retrievers agreeing on the top clause (dense and BM25);
* the cosine itself, and the cosine of the question to the best-matching *sentence* of the
  top clauses (a lay paraphrase matches one sentence far better than a whole clause);
* the unit a quantity is asked in ("连续阴雨多少天" → days, "最多接入多少路" → 路,
  "准确率是多少" → a percentage) stated with a number in the top clauses
  (:data:`qa.quantities.UNIT_FAMILIES`): a near miss on the right document states
  numbers — of other kinds.  (Since session 7 this replaces the kind of value asked
  looked up in the best-matching sentences, :data:`qa.quantities.ANSWER_TYPES`, which the
  reranker still reads: held out, the unit was the better input and the two together
  worse than the unit alone; docs/evaluation-history.md "Refusal gate");
* the topic words weighted by their rarity in the knowledge base (words it never uses —
  a lay question's chatter — count for nothing);
* the drafting element asked ("前言里…", "范围一章…") named by the first hit's own headings
  (its heading path, title or element label: "前言" has no title) — a question about a
  document's own element is answered by that element, whatever its cosine.  (Whether a
  document the question names is in the knowledge base was an input until session 8:
  held out by corpus it only carried what the sample and web-guides questions share — a
  document they name is always there to answer — while the real standards' near misses
  name the document they miss in; docs/evaluation-history.md "Refusal gate, session 8");
* the words the knowledge base *does* use that none of the top three clauses holds: the
  share of them, and the rarity of the rarest one ("一致性程度IDT和MOD怎么标注" over clauses
  that never say 一致性程度 — a near miss names something specific the base mentions
  elsewhere but the retrieved clauses do not);
* the answer slot (since session 9): when the question asks for a value, a standard, a
  body or a grade (:func:`qa.slots.asked_slot`), how much of its topic one sentence of the
  top three clauses states *together with* a value of that kind (:func:`slot_filled`) —
  the near miss names the subject in one sentence and states a value of the asked kind,
  about something else, in another.  A question asking no such slot (how to write,
  yes/no, a list) has nothing missing;
* the question's Latin terms (since session 10: "TLS", "IP66", "IDT", "ICS" — not the
  standard codes it names) used anywhere in the documents of the top three hits
  (:func:`term_in_documents`): a near miss names a protocol, a grade or a scheme the
  right document never mentions, while a lay alias of the document's subject ("PVC") is
  still somewhere in it;
* the kind of named thing asked ("哪种对称加密算法", "哪个版本", "哪些具体条件",
  :func:`qa.slots.asked_object`) in one sentence of the top three, with its headings
  (:func:`object_held`, since session 10): the near miss talks about the subject and
  never names the kind of thing asked about it.  When the question names a document, only
  that document's hits count (since session 12: "T/JSATL 12 要求…用哪个版本的 TLS" is not
  answered by a financial standard's "有效安全版本的TLS");
* the answer slot filled by the *first* hit (:func:`slot_in_lead`, since session 12): the
  clause the answer leads with states a value of the asked kind at all.  The near miss
  close to content leads with the clause about the asked subject ("平台查岗", "投诉档案
  一人一档"), which states no value, while the values ``slot_filled`` and ``unit_stated``
  find are in the clauses after it, about other things;
* the clause's and the best sentence's cosines again, for the questions that ask a slot
  only (:func:`for_slot`, since session 14): a question asking for a value restates the
  sentence that gives it, so for it the cosines separate far better than for one asking
  how or which ones; for those the inputs do not apply (None, read at their mean).

* what the question asks *beyond what it restates* (:func:`ask_held`, since session 17):
  "…要求建立重大安全事件的跨单位联合应急预案，这个联合预案每年至少要联合演练几次" states a
  clause before asking; its topic and cosines match that clause closely whatever it says
  about drills.  The words of the asking part the premise does not already say (每年,
  演练) are what an answer must hold; the share of them, by rarity, that one of the top
  three clauses holds.

A count of a list's items ("分成几步", "一共几点", "从几个方面来讲") is filled by a clause that
lists them as well as by a number (:func:`gate_slot`, since session 13): "服务实施流程:(1)…
(2)…(3)…" answers "分成几步" without saying 三步.  Whether the first hit is in a document
the question names was an input until session 13: held out by corpus it took a positive
weight from the samples and web guides and pushed up the real standards' near misses,
which name the very document they miss in (docs/evaluation-history.md "Refusal gate, session 13").

:func:`gate_features` computes these from the query plan and the usable hits (one row,
named by :data:`GATE_FEATURES`; sentence cosines and word frequencies come from
:mod:`qa.gate_inputs`); :class:`GateModel` combines them with a logistic
regression fitted by ``python -m eval.calibrate`` (``make calibrate-gate``) with
leave-one-set-out cross-validation, each weight kept on the side of zero its input means
(:data:`GATE_SIGNS`), stored in ``qa/calibration.json`` per embedding model.  The question
is answered when the model's probability that it is answerable reaches the model's
threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from grammar.codes import find_codes
from grammar.copies import copy_formats
from grammar.numbering import halfwidth
from grammar.table_units import spelled_units
from index.exact import code_named
from index.sections import heading_ref
from index.sentences import clause_sentences
from qa.elements import Element
from qa.quantities import (
    asked_units,
    asks_list_count,
    asks_number,
    indefinite_at,
    states_a_number,
    states_unit,
    yes_no_spans,
)
from qa.relevance import CJK_RUN, FILLER, content_grams, coverage, held_grams
from qa.slots import Slot, asked_object, asked_slot, enumerates

GATE_FEATURES: tuple[str, ...] = (
    "dense1",  # best cosine among the top three usable hits
    "topic_title",  # topic bigrams (document names removed) in the first hit's heading path
    "topic_best3",  # best topic coverage of any of the top three
    "topic_missing",  # share of topic bigrams found in none of the top five
    "number_missing",  # a quantity asked and no number in the top three clauses
    "governing",  # one of the top three governs the drafting element asked about
    "agree",  # the first hit was found by both dense and BM25 retrieval
    "short_topic",  # log of the number of topic bigrams (few words: coverage is coarse)
    "code_absent",  # the question names a standard code (edition) no document has
    "asked_best3",  # the asked attribute ("…有效期是多久" → 有效期) in the best of the top three
    "value_unnamed",  # a quantity asked of an attribute none of the top three names
    "sent_best",  # best cosine of the question to one *sentence* of the top three hits
    "topic_idf",  # topic words weighted by their rarity in the knowledge base, best of top three
    "element_top",  # the drafting element asked is named by the first hit's own headings
    "rare_unmatched",  # rarity of the rarest known topic word that no top-three clause holds
    "known_unmatched",  # share of the topic words the base uses that no top-three clause holds
    "unit_stated",  # a number in the unit asked ("多少天", "几路", "准确率") in the top three
    "slot_filled",  # the asked subject and a value of the asked kind in one top-three sentence
    "term_in_doc",  # the question's Latin terms ("TLS", "IP66") used in the top three's documents
    "object_held",  # the kind of thing asked ("哪种算法" → 算法) in one top-three sentence
    "slot_lead",  # the first hit, which the answer leads with, states a value of the asked kind
    "dense_slot",  # dense1 when the question asks a slot (a value, a standard…); else None
    "sent_slot",  # sent_best when the question asks a slot; else None
    "ask_held",  # what the question asks beyond what it restates, held by one top-three clause
)

# An input that does not apply to a question is None in its row (:func:`gate_features`):
# the model reads it at the mean of the questions it applies to (standardised 0), so it
# pushes neither way (:func:`vector`, :func:`fit`).

# Where a question asks: the interrogative; the attribute asked about is the phrase just
# before it ("评定结果的有效期是多久" → 有效期, "每小时收费多少钱" → 小时收费).
_WH = re.compile(
    r"多少|多久|多长|多大|多高|几|什么|哪些|哪个|哪几|哪种|怎么|怎样|如何|是否|能否|有没有|吗|呢|[？?]"
)
_CLAUSE_BREAK = re.compile(r"[，,。；;：:、！!？?\s]")
_TRAILING = re.compile(
    r"(?:是|要|为|有|在|达到|应|应当|需要|需|必须|可以|能|的|里|中|时|得|按|以|把|被|对|上|下|写|列|由|分|用|填|做|到)+$"
)

# Sentences this close to the best cosine count as "best-matching".  All of them: a cap on
# their number let a table's header rows, or a clause retrieved beside the answer, push the
# row stating the value out, so the same question flipped with the other hits.
NEAR_SENTENCE = 0.015


def idf_coverage(topic: set[str], text: str, df: Mapping[str, int], n: int) -> float:
    """Share of the topic's weight found in ``text``, each bigram weighted by its inverse
    clause frequency in the knowledge base; bigrams the base never uses weigh nothing."""
    weights = {g: math.log(1.0 + n / (1.0 + df[g])) for g in topic if df.get(g, 0) > 0}
    total = sum(weights.values())
    if not total:
        return 0.0
    hay = halfwidth(text).lower()
    return sum(w for g, w in weights.items() if g in hay) / total


def has_counts(frequency: Any | None) -> bool:
    """Does ``frequency`` (:class:`qa.gate_inputs.BigramFrequency`) carry the knowledge
    base's word counts?  Without them every input reads plain coverage instead."""
    return frequency is not None and bool(getattr(frequency, "n", 0))


def known_count(grams: set[str], frequency: Any | None) -> int | None:
    """How many of ``grams`` the knowledge base uses somewhere; None without its counts.
    An input over words the base never uses says nothing about whether the asked thing is
    there, so :func:`slot_filled`, :func:`slot_subject` and :func:`ask_held` ask this first."""
    if not has_counts(frequency):
        return None
    return sum(1 for g in grams if frequency.df.get(g, 0))


def coverage_by(grams: set[str], frequency: Any | None) -> Callable[[str], float]:
    """How much of ``grams`` a text holds: rarity-weighted (:func:`idf_coverage`) with the
    knowledge base's counts, plain :func:`qa.relevance.coverage` without them.  Every gate
    input reading a share of words makes this choice, so it is made here once."""
    if has_counts(frequency):
        df, n = frequency.df, frequency.n
        return lambda text: idf_coverage(grams, text, df, n)
    return lambda text: coverage(grams, text)


MIN_NAME_RUN = 3  # characters of a document's title a question must repeat to name it


def without_title_runs(question: str, titles: Sequence[str]) -> str:
    """``question`` without the stretches (≥ 3 characters) it repeats from ``titles``:
    "标准化法规定了哪些标准的类别" → "规定了哪些标准的类别" (标准 stays: it is the topic too)."""
    hay = "\n".join(halfwidth(t) for t in titles)
    q = halfwidth(question)
    out: list[str] = []
    i = 0
    while i < len(q):
        n = MIN_NAME_RUN
        while i + n <= len(q) and q[i : i + n] in hay:
            n += 1
        if n > MIN_NAME_RUN:  # q[i : i + n - 1] is a title stretch
            out.append(" ")
            i += n - 1
        else:
            out.append(q[i])
            i += 1
    return "".join(out)


def topic_grams(question: str, documents: Sequence[Any], preferred: Sequence[str]) -> set[str]:
    """The question's content bigrams without the stretches that name the documents it
    names or points at ("沈阳那份评审专家信用管理的地方标准…" → not 评审/专家/信用…): a
    document's name is in every one of its clauses and says nothing about the asked thing."""
    titles = [
        getattr(d, "title", "") or ""
        for d in documents
        if getattr(d, "doc_id", None) in set(preferred)
    ]
    if titles:
        rest = content_grams(without_title_runs(question, titles))
        if rest:
            return rest
    return content_grams(question)


# Degree and hedge words between an attribute and its interrogative ("最晚多久", "大概几天").
_DEGREE = re.compile(
    r"(?:最晚|最迟|最早|最多|最少|最长|最短|最高|最低|至少|至多|大概|大约|一共|总共|一般|通常|到底|"
    r"不少于|不多于|不低于|不高于|不超过|不小于|不大于|不得少于|不得超过|不应少于|不应超过)+$"
)
_LEADING = re.compile(r"^(?:[的得地是要为才就能会可以需]|之内|以内|内)+")


def asked_attribute(question: str) -> set[str]:
    """Bigrams of the attribute a question asks about: the last few characters of the
    phrase before its first interrogative, without filler, degree and function words
    ("信用等级评定结果有效期是多久？" → {有效, 效期}); when nothing is left there, the phrase
    after it ("维修的人最晚多久得赶到" → {赶到}).  Empty when there is none ("范围怎么写"
    asks about the element named, which the element features see)."""
    m = _WH.search(question)
    if not m:
        return set()
    head = _CLAUSE_BREAK.split(question[: m.start()])[-1]
    prev = None
    head = halfwidth(head)
    while head != prev:
        prev = head
        head = _DEGREE.sub("", _TRAILING.sub("", FILLER.sub("", head)))
    runs = CJK_RUN.findall(head)
    if runs and len(runs[-1]) >= 2:
        tail = runs[-1][-3:]
    else:
        after = _CLAUSE_BREAK.split(halfwidth(question[m.end() :]))[0]
        after = _LEADING.sub("", FILLER.sub("", after))
        runs = CJK_RUN.findall(after)
        if not runs or len(runs[0]) < 2:
            return set()
        tail = runs[0][:3]
    return {tail[i : i + 2] for i in range(len(tail) - 1)}


def code_absent(question: str, documents: Sequence[Any]) -> bool:
    """Does the question name a standard code — with its edition, when it gives one —
    that no document of the knowledge base carries?  ("JT/T 809—2019" over a base holding
    the 2011 edition.)  The knowledge base may still talk *about* it, so this is one
    feature of the gate, not a refusal by itself (:func:`qa.relevance.absent_documents`)."""
    return any(not any(code_named(m.code, d) for d in documents) for m in find_codes(question))


def heads_element(clause: Any, element: Element | None) -> bool:
    """Do the clause's own headings — its heading path, its title, or its label when that
    is an element's name ("前言", "引言": no title, no number) — name ``element``?"""
    if element is None:
        return False
    heads = [h.title for h in clause.heading_path]
    heads += [clause.clause_title or "", clause.clause_no or ""]
    return any(element.named_by(t) for t in heads if t)


def unmatched_known(
    topic: set[str], text: str, df: Mapping[str, int], n: int
) -> tuple[float, float]:
    """Of the topic bigrams the knowledge base uses somewhere, those ``text`` lacks: their
    share, and the rarity (IDF scaled to 0..1) of the rarest one.  Words the base never
    uses (a lay question's chatter) are not counted: they cannot be matched anywhere."""
    known = [g for g in topic if df.get(g, 0) > 0]
    if not known or n <= 0:
        return 0.0, 0.0
    held = held_grams(set(known), text)
    lacking = [g for g in known if g not in held]
    rarity = max((math.log1p(n / (1.0 + df[g])) / math.log1p(n) for g in lacking), default=0.0)
    return len(lacking) / len(known), rarity


# Slots that name a thing (a standard, a body, a grade): a list of items does not fill them.
_NAMED_SLOTS = frozenset({"standard", "body", "grade"})


def counts_in_classifier(question: str) -> bool:
    """Does ``question`` count things in their own classifier after 几 — a single Chinese
    character that is no unit of measure (:func:`qa.quantities.asked_units`: "服务禁语一共
    有几句", "可以把它分成几块", "写了几家起草单位", "要抽查几台")?  Such a count is answered
    by the things listed as often as by "三句": a clause that names them one by one states
    no number in 句.  Not "多少份" (a quantity a rule sets: "至少要回收多少份"), nor a unit
    of measure ("几天", "几位", "多少 MB"), nor 几 that says "which" or "these" ("哪几句")."""
    q = halfwidth(question)
    units = asked_units(q)
    return bool(units) and all(
        len(u.name) == 1 and CJK_RUN.fullmatch(u.name) is not None and f"几{u.name}" in q
        for u in units
    )


def gate_slot(question: str) -> tuple[Slot | None, bool]:
    """The slot the gate checks (:func:`qa.slots.asked_slot`) and whether an enumeration
    fills it.  A count of a list's items (:func:`qa.quantities.asks_list_count`: "分成几步",
    "一共几点", "从几个方面来讲") is filled by any number or by a clause that lists items
    — "服务实施流程:(1)…(2)…(3)…" answers "分成几步" without the word 三步, and those
    answerable questions were refused (docs/evaluation-history.md "Refusal gate, session 13").  A count of
    things in their classifier (:func:`counts_in_classifier`: "几句", "几块") is filled by
    such a clause too, or by the number in that classifier — not by any number, which a
    rule about something else states as readily (since session 18).  A standard, a body or
    a grade asked stays as it is."""
    slot = asked_slot(question)
    if slot is not None and slot.kind in _NAMED_SLOTS:
        return slot, False
    if not asks_list_count(question):
        listed = slot is not None and slot.kind == "unit" and counts_in_classifier(question)
        return slot, listed
    read = slot

    def fills(sentence: str) -> bool:
        return states_a_number(sentence) or (read is not None and read.fills(sentence))

    return Slot("count", fills), True


def slot_subject(question: str, topic: set[str], frequency: Any | None = None) -> set[str]:
    """The words a sentence filling the slot must hold: what the question asks beyond what
    it restates (:func:`asked_beyond`), or the whole topic when it asks in its first clause
    or asks nothing beyond it that the knowledge base uses.

    "专家喝了酒去参加评标，信用分要扣多少" sets the scene in its premise (专家, 参加, 评标) and
    asks about the credit points; the table row stating the value ("酒后参加评审，扣50 分")
    says the scene in other words (评审), and the clause's headings name the credit score.
    Read over the whole topic, the premise's wording weighed as much as the asked words, and
    answerable questions that describe a case before asking were refused; the near miss
    still has to state a value of the asked kind in a sentence holding what is asked
    (docs/evaluation-history.md "Refusal gate, session 18")."""
    asked = asked_beyond(question, topic)
    if not asked:
        return topic
    if known_count(asked, frequency) == 0:
        return topic
    part = slot_sentences(question)
    if part is not None:
        narrowed = asked & content_grams(_WH.sub(" ", part))
        if narrowed and known_count(narrowed, frequency) != 0:
            return narrowed
    return asked


# Where a question's sentences end: each may ask its own thing.
_SENTENCE_END = re.compile(r"[。！!？?；;]")


def slot_sentences(question: str) -> str | None:
    """The question up to its last sentence asking the slot (:func:`gate_slot`), when
    sentences after it ask other things: "…请求消息里的鉴权码占多少字节？结束时间填 0 表示
    什么？" asks a size in its first sentence and a meaning in its second.  None when the
    last sentence asks the slot (or none does): a later ask often leaves its subject to
    the sentence before it ("满意度怎么计算？要达到多少？"), an earlier ask never to one
    after it.

    The answer states the size in a sentence about the 鉴权码 and the meaning of 0 in
    another; the words of the later ask (结束, 时间, 表示) are not what the sentence
    stating the size must hold, and counted with it they halved its coverage — answerable
    questions asking two things were refused (docs/evaluation-history.md "Refusal gate, session 21")."""
    parts = [p for p in _SENTENCE_END.split(halfwidth(question)) if p.strip()]
    parts = [p for p in parts if not _NOTE.fullmatch(p)]  # "（按2016版）": no ask
    asking = [i for i, p in enumerate(parts) if gate_slot(p)[0] is not None or _asks_again(p)]
    if not asking or asking[-1] == len(parts) - 1:
        return None
    return "，".join(parts[: asking[-1] + 1])


# A bracketed note after the question ("（按2016版）") asks nothing of its own.
_NOTE = re.compile(r"\s*[（(][^（()）]*[）)]\s*")


def _asks_again(sentence: str) -> bool:
    """Does ``sentence`` ask with a final 呢 alone ("…要保存多久？电话投诉录音呢？")?  It
    asks the sentence before it again, of another subject."""
    body = sentence.rstrip()
    return body.endswith("呢") and _WH.search(body[:-1]) is None


def slot_filled(
    question: str,
    topic: set[str],
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    frequency: Any | None = None,
    lists: Sequence[ItemOf | None] = (),
) -> float:
    """How much of the asked subject (:func:`slot_subject`: the topic, or what the question
    asks beyond its premise) one sentence of the top three clauses states *together with*
    a value of the kind the question asks for (:func:`qa.slots.asked_slot`): the best
    rarity-weighted coverage of a clause's headings plus one sentence that fills the
    slot.  "学校食堂员工的健康证明多长时间要重新体检" over a clause on health checks that
    states no period, and another stating periods of something else, scores low although
    the topic and a period are both there.  1.0 when the question asks for no slot (how
    to write, yes/no, a list), or names no word the knowledge base uses.

    ``lists``: per hit, the list it is an item of (:func:`item_of`).  A count of a list's
    items is filled by the list, and a hit that is one of its items stands for it: read
    as its parent would be, had the parent been retrieved (:func:`_listed_by`)."""
    slot, listed = gate_slot(question)
    if slot is None or not topic:
        return 1.0
    if known_count(topic, frequency) == 0:
        return 1.0
    cover = coverage_by(slot_subject(question, topic, frequency), frequency)
    best = 0.0
    for i, (h, kids) in enumerate(zip(hits[:3], children[:3], strict=False)):
        heads = _title_text(h.clause)
        sentences = spelled_units(clause_sentences(h.clause, kids))
        if listed and enumerates(sentences, kids):  # the list is the answer
            best = max(best, cover(f"{heads} {' '.join(sentences)}"))
        if listed and (lead_in := _listed_by(lists, i)) is not None:  # an item: its list
            best = max(best, cover(lead_in))
        for sentence in sentences:
            if slot.fills(sentence):
                best = max(best, cover(f"{heads} {sentence}"))
    return best


# A Latin term: a word, with digits, dots or hyphens inside ("TLS", "IP66", "H.264",
# "Modbus-RTU"), or digits glued to letters ("4G").
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*|\d+[A-Za-z][A-Za-z0-9]*")


def question_terms(question: str) -> set[str]:
    """The question's Latin terms of two characters or more, lower-cased, without the
    standard codes it names ("JT/T 808—2019 … TCP … TLS" → {tcp, tls}): a code is the
    document's name, :func:`code_absent` reads it.  Nor the file format it names a copy by
    ("GB/T 28181—2016（PDF 版）", :func:`grammar.copies.copy_formats`): no clause says
    "PDF", and 4 answerable dev questions naming their copy were refused for it (docs/evaluation-history.md
    "Refusal gate, session 21")."""
    q = halfwidth(question)
    for m in find_codes(q):
        q = q[: m.start] + " " * (m.end - m.start) + q[m.end :]
    for start, end in copy_formats(q):
        q = q[:start] + " " * (end - start) + q[end:]
    return {t.lower() for t in _TERM.findall(q) if len(t) >= 2}


def term_in_documents(
    question: str,
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    document_text: Callable[[str], str] | None = None,
) -> float:
    """1.0 when every Latin term of the question (:func:`question_terms`) is used somewhere
    in the documents of the top three hits (``document_text``: doc id → its text, as
    :func:`qa.doc_frequency.document_text` makes it; without it, the top three clauses'
    own text), else 0.0; 1.0 when the question names none.  "要求 TCP 连接用哪个版本的
    TLS" over a protocol standard that never says TLS: the right document, the asked thing
    absent — unlike a word of Chinese chatter, a Latin term is rarely one a question adds
    on its own."""
    terms = question_terms(question)
    if not terms:
        return 1.0
    if document_text is not None:
        docs = dict.fromkeys(h.clause.doc_id for h in hits[:3])
        hay = "".join(document_text(d) for d in docs)
    else:
        hay = "".join(
            "".join(halfwidth(f"{_title_text(h.clause)} {_clause_text(h.clause, kids)}").split())
            for h, kids in zip(hits[:3], children[:3], strict=False)
        ).lower()
    return 1.0 if all(t in hay for t in terms) else 0.0


def object_held(
    question: str,
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    preferred: Sequence[str] = (),
) -> float:
    """How much of the kind of thing asked (:func:`qa.slots.asked_object`: "哪种对称加密算法"
    → 对称加密算法) one sentence of the top three clauses holds, with its clause's headings:
    the best share of its bigrams among the sentences that hold its head noun (last two
    characters).  1.0 when the question asks for no named thing.  "需要满足哪些具体条件"
    over clauses on the grade that never state a condition scores 0.

    When the question names or points at documents (``preferred``), only the top three's
    hits in them count: the kind asked of one standard, named in another standard's clause
    retrieved beside it, is not its answer (0.0 when none of the top three is in them)."""
    obj = asked_object(question)
    if obj is None:
        return 1.0
    pairs = list(zip(hits[:3], children[:3], strict=False))
    if preferred:
        named = set(preferred)
        pairs = [(h, kids) for h, kids in pairs if h.clause.doc_id in named]
    head = obj[-2:]
    grams = {obj[i : i + 2] for i in range(len(obj) - 1)}
    best = 0.0
    for h, kids in pairs:
        heads = _title_text(h.clause)
        for sentence in clause_sentences(h.clause, kids):
            hay = halfwidth(f"{heads} {sentence}").lower()
            if head in hay:
                best = max(best, sum(1 for g in grams if g in hay) / len(grams))
    return best


# Where a question's premise ends and its asking part begins: a clause break.
_SEGMENT = re.compile(r"[，,。；;：:！!？?\n]")


def premise_and_ask(question: str) -> tuple[str, str]:
    """The question split where it starts asking: the clauses before the first one with an
    interrogative (:data:`_WH`), and that clause with the rest ("…要求建立…联合应急预案，
    这个联合预案每年至少要联合演练几次？" → the premise, "这个联合预案每年至少要联合演练几次");
    ("", question) when it asks in its first clause, or names no interrogative."""
    q = halfwidth(question)
    spans = yes_no_spans(q)
    parts: list[tuple[int, str]] = []
    start = 0
    for m in [*_SEGMENT.finditer(q), None]:
        end = m.start() if m else len(q)
        if q[start:end].strip():
            parts.append((start, q[start:end]))
        start = m.end() if m else end
    texts = [t for _, t in parts]
    for i, (at, part) in enumerate(parts):
        if any(_asks(w, at, q, spans) for w in _WH.finditer(part)):
            return "，".join(texts[:i]), "，".join(texts[i:])
    return "", "，".join(texts)


def _asks(m: re.Match[str], offset: int, question: str, spans: list[tuple[int, int]]) -> bool:
    """Does the interrogative ``m`` (in a clause starting at ``offset`` of ``question``)
    ask?  Not one inside a yes/no sentence, where it is an indefinite ("聊了几句…，会被扣分
    吗": a few; "需要对外公开什么吗": anything; :func:`qa.quantities.indefinite_at`); 吗
    itself asks."""
    if m.group(0) in ("吗", "呢", "?", "？") or not spans:
        return True
    return not indefinite_at(question, offset + m.start(), spans)


def asked_beyond(question: str, topic: set[str]) -> set[str]:
    """The topic bigrams of the question's asking part that its premise does not already
    say (:func:`premise_and_ask`), interrogatives left out ("联合演练几次" → 演练, not 练几):
    what an answer has to hold beyond the clause the question restates.  A question that
    asks in its first clause asks all of its topic."""
    premise, ask = premise_and_ask(question)
    said = content_grams(premise) if premise.strip() else set()
    return (content_grams(_WH.sub(" ", ask)) - said) & topic


# The share of the asked words the knowledge base must use somewhere for ask_held to apply:
# below it the question is mostly about things the base never mentions ("火星探测器的轨道参数
# 如何计算" over a base that knows only 计算), and the one known word held by some clause says
# nothing about whether the asked thing is there.
MIN_KNOWN_ASKED = 1 / 3


def ask_held(
    question: str,
    topic: set[str],
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    frequency: Any | None = None,
) -> float | None:
    """The best share, weighted by rarity in the knowledge base (:func:`idf_coverage`), of
    what the question asks beyond what it restates (:func:`asked_beyond`) that one of the
    top three clauses (headings, text, a section's children; layout spaces removed) holds.
    Words the knowledge base never uses weigh nothing (a lay question's chatter cannot be
    matched anywhere), and the input does not apply (None) when nothing is asked beyond the
    premise or fewer than :data:`MIN_KNOWN_ASKED` of the asked words are ones the base uses:
    an off-topic question's one known word, held by some clause, would read as all of it.

    A question that restates a clause before asking what it does not say ("…要求定期备份
    外围通讯设备的配置文件，这些配置备份至少要保留几个历史版本") matches that clause in its
    topic, its cosines and its sentence — all inputs counted over the whole question —
    while the words it asks with (历史, 版本) are nowhere in it.  Counted over the whole
    question, as ``topic_idf`` does, the restated words swamp them; held out by corpus the
    input adds nothing then, and takes over ``topic_idf``'s weight when read this way
    (docs/evaluation-history.md "Refusal gate, session 17")."""
    asked = asked_beyond(question, topic)
    if not asked:
        return None
    known = known_count(asked, frequency)
    if known is not None and (not known or known < MIN_KNOWN_ASKED * len(asked) - 1e-9):
        return None
    share = coverage_by(asked, frequency)
    texts = (
        "".join(f"{_title_text(h.clause)} {_clause_text(h.clause, kids)}".split())
        for h, kids in zip(hits[:3], children[:3], strict=False)
    )
    return max((share(t) for t in texts), default=0.0)


def for_slot(question: str, cosine: float) -> float | None:
    """``cosine`` when the question asks a slot (:func:`gate_slot`: a value, a standard,
    a body, a grade, a count), else None — the input does not apply.  The gate reads the
    clause's and the best sentence's cosines a second time this way (``dense_slot``,
    ``sent_slot``).

    A question that asks for a value restates the sentence that gives it with the value
    taken out ("终端注册失败后要间隔多少秒才能重新注册" ↔ "终端注册失败后，应间隔 60 s 重新
    注册"), so its best clause and sentence are near copies; the near miss ("…两次发送之间
    至少要间隔多少秒" where no sentence says it) finds only text about neighbouring things.
    A question asking how, which ones or whether is answered by several sentences, often
    in other words, so the same cosine says less: on the dev questions of fourteen tuning
    sets the best sentence's cosine separates answerable from unanswerable questions with
    AUC .85 / .97 / .90 (real standards / sample / web guides) when a slot is asked and
    .80 / .71 / .72 when none is.  One weight per cosine over both kinds of question cannot
    use that; these inputs give the slot questions their own (docs/evaluation-history.md "Refusal gate,
    session 14")."""
    return cosine if gate_slot(question)[0] is not None else None


def slot_in_lead(
    question: str,
    topic: set[str],
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    lists: Sequence[ItemOf | None] = (),
) -> float:
    """1.0 when one sentence of the first hit (with a section's children) fills the slot
    the question asks for (:func:`qa.slots.asked_slot`: a value in the unit or of the kind
    asked, a standard, a body, a grade), else 0.0; 1.0 when it asks for no slot or has no
    topic (nothing can be missing, as in :func:`slot_filled`).

    The first hit is the clause the answer leads with, the one the reranker judged to say
    it.  ``slot_filled`` takes the best of the top three, so a near miss whose first hit
    is about the asked subject but states no value ("下级平台收到查岗问题后几分钟内作答"
    over the 平台查岗 clause, which gives no time) still scores on a clause after it that
    states minutes about something else.

    A count of a list's items is filled by a first hit that lists them, or that is one
    item of a list (``lists``, :func:`item_of`): "“关键步骤和措施”一共列了几步？第四步是
    什么" leads with 二、4., one of the five steps under 二、 关键步骤和措施."""
    slot, listed = gate_slot(question)
    if slot is None or not topic:
        return 1.0
    if not hits:
        return 0.0
    kids = children[0] if children else ()
    sentences = spelled_units(clause_sentences(hits[0].clause, kids))
    if listed and (enumerates(sentences, kids) or _listed_by(lists, 0) is not None):
        return 1.0
    return 1.0 if any(slot.fills(s) for s in sentences) else 0.0


class ItemOf(NamedTuple):
    """The list a clause is an item of: its parent clause (the lead-in, "二、 关键步骤和
    措施", "确保以下几点：") and the parent's children, the clause among them."""

    parent: Any
    items: Sequence[Any]


def item_of(
    clause: Any, clauses: Sequence[Any], children: Callable[[str], Sequence[Any]]
) -> ItemOf | None:
    """The list ``clause`` is an item of: the nearest clause before it in its document
    (``clauses``, any order) whose heading path and own heading are ``clause``'s heading
    path — its parent — with the parent's children (``children``: clause id → them);
    None for a clause without a parent, or whose parent has no other child (one item is
    no list).

    A question counting a list's items ("…一共列了几步？第四步是什么？") is asked in the
    words of the list's lead-in, so its best hits are often single *items* (the fourth
    step, which it also asks about): alone, none of them lists anything or states a
    number, and the gate refused an answerable question over the very list it counts
    (docs/evaluation-history.md "Refusal gate, session 16")."""
    path = list(getattr(clause, "heading_path", ()) or ())
    if not path:
        return None
    parent = None
    for c in clauses:
        if c.doc_id != clause.doc_id or c.seq >= clause.seq:
            continue
        if list(c.heading_path) != path[:-1] or heading_ref(c) != path[-1]:
            continue
        if parent is None or c.seq > parent.seq:
            parent = c
    if parent is None:
        return None
    items = list(children(parent.clause_id))
    if len(items) < 2 or not any(k.clause_id == clause.clause_id for k in items):
        return None
    return ItemOf(parent, items)


def _listed_by(lists: Sequence[ItemOf | None], i: int) -> str | None:
    """The text of the list hit ``i`` is an item of — its parent's headings and
    sentences, as :func:`slot_filled` reads a clause that lists items — or None when it
    is no item of a list."""
    of = lists[i] if i < len(lists) else None
    if of is None:
        return None
    sentences = clause_sentences(of.parent, of.items)
    if not enumerates(sentences, of.items):
        return None
    return f"{_title_text(of.parent)} {' '.join(sentences)}"


def _clause_text(clause: Any, kids: Sequence[Any] = ()) -> str:
    return " ".join([clause.text, *(f"{k.heading} {k.text}" for k in kids)])


def _title_text(clause: Any) -> str:
    return " ".join([*(h.title for h in clause.heading_path), clause.clause_title])


def gate_features(
    question: str,
    topic: set[str],
    hits: Sequence[Any],
    children: Sequence[Sequence[Any]],
    governing: Sequence[bool],
    preferred: Sequence[str] = (),
    documents: Sequence[Any] = (),
    sentence_sims: Sequence[Sequence[tuple[str, float]]] | None = None,
    frequency: Any | None = None,
    element: Element | None = None,
    document_text: Callable[[str], str] | None = None,
    lists: Sequence[ItemOf | None] = (),
) -> dict[str, float | None] | None:
    """The gate's features over the usable ``hits`` (ranked, with each one's children
    when it is a section), or None without any.  ``sentence_sims``: per top hit, its
    sentences and their cosine to the question; ``frequency``: the knowledge base's
    :class:`qa.gate_inputs.BigramFrequency` (without them the clause cosine and plain
    coverage stand in); ``element``: the drafting element asked, from the query plan;
    ``document_text``: a document's text by id (:class:`qa.doc_frequency.DocumentText`;
    without it the top clauses stand in for their documents); ``lists``: per hit, the
    list it is an item of (:func:`item_of`), read for a count of a list's items."""
    if not hits:
        return None
    h1 = hits[0]
    top3 = [h.dense_score for h in hits[:3] if h.dense_score is not None]
    texts = [
        f"{_title_text(h.clause)} {_clause_text(h.clause, kids)}"
        for h, kids in zip(hits[:5], children[:5], strict=False)
    ]
    all5 = halfwidth(" ".join(texts)).lower()
    missing = sum(1 for g in topic if g not in all5) / len(topic) if topic else 0.0
    top3_text = " ".join(
        _clause_text(h.clause, kids) for h, kids in zip(hits[:3], children[:3], strict=False)
    )
    asked = asked_attribute(question)
    dense1 = max(top3, default=0.0)
    sents = sorted(
        ((s, t) for per in (sentence_sims or ())[:3] for t, s in per), key=lambda x: -x[0]
    )
    top3_all = " ".join(texts[:3])
    topic_idf = max(map(coverage_by(topic, frequency), texts[:3]), default=0.0)
    if has_counts(frequency):
        unmatched, rarest = unmatched_known(topic, top3_all, frequency.df, frequency.n)
    else:  # every topic word counts as known, each as rare as the others
        unmatched = 1.0 - coverage(topic, top3_all) if topic else 0.0
        rarest = 1.0 if unmatched > 0 else 0.0
    asked_best3 = max((coverage(asked, t) for t in texts[:3]), default=0.0) if asked else 1.0
    # "连续阴雨多少天" over clauses that state hours and volts but no days: the right
    # document, the asked value never given — the near miss a number of *some* kind hides.
    # Compared without layout spaces ("间 隔 60 s").
    units = asked_units(question)  # a list's count ("一共几点") asks no unit
    if units:
        # also a value whose unit a table header or an English word gives ("8" under 字节数)
        texts3 = texts[:3] + [
            " ".join(spelled_units(clause_sentences(h.clause, kids)))
            for h, kids in zip(hits[:3], children[:3], strict=False)
        ]
        unit_stated = sum(any(states_unit([u], t) for t in texts3) for u in units) / len(units)
    else:
        unit_stated = 1.0  # no unit asked: nothing can be missing
    feats: dict[str, float | None] = {
        "dense1": dense1,
        "topic_title": coverage(topic, _title_text(h1.clause)),
        "topic_best3": max((coverage(topic, t) for t in texts[:3]), default=0.0),
        "topic_missing": missing,
        "number_missing": float(asks_number(question) and not states_a_number(top3_text)),
        "governing": 1.0 if any(governing[:3]) else 0.0,
        "agree": 1.0 if getattr(h1, "bm25_score", None) is not None else 0.0,
        "short_topic": math.log1p(len(topic)) / 3.0,
        "code_absent": 1.0 if code_absent(question, documents) else 0.0,
        # no attribute before the interrogative ("范围怎么写"): nothing can be missing
        "asked_best3": asked_best3,
        # "评定结果的有效期是多久" over clauses that never say 有效期: a value of something
        # the knowledge base does not regulate — the typical near miss.
        "value_unnamed": float(asks_number(question) and asked_best3 < 0.5),
        "sent_best": sents[0][0] if sents else dense1,
        "topic_idf": topic_idf,
        "element_top": 1.0 if heads_element(h1.clause, element) else 0.0,
        "rare_unmatched": rarest,
        "known_unmatched": unmatched,
        "unit_stated": unit_stated,
        "slot_filled": slot_filled(question, topic, hits, children, frequency, lists),
        "term_in_doc": term_in_documents(question, hits, children, document_text),
        "object_held": object_held(question, hits, children, preferred),
        "slot_lead": slot_in_lead(question, topic, hits, children, lists),
    }
    feats["dense_slot"] = for_slot(question, dense1)
    feats["sent_slot"] = for_slot(question, feats["sent_best"])
    feats["ask_held"] = ask_held(question, topic, hits, children, frequency)
    return feats


@dataclass(slots=True, frozen=True)
class GateModel:
    """Logistic regression over standardised :data:`GATE_FEATURES`: the probability that
    a question is answerable from its hits; answered at ``threshold`` or above."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float

    @classmethod
    def from_json(cls, d: Mapping[str, Any] | None) -> GateModel | None:
        """The stored model, or None when absent or made for other features."""
        if not d or tuple(d.get("features", ())) != GATE_FEATURES:
            return None
        return cls(
            tuple(float(x) for x in d["weights"]),
            float(d["bias"]),
            tuple(float(x) for x in d["mean"]),
            tuple(float(x) for x in d["scale"]),
            float(d["threshold"]),
        )

    def probability(self, feats: Mapping[str, float | None]) -> float:
        return probability(self.to_json(), feats)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(GATE_FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "threshold": self.threshold,
        }


def vector(feats: Mapping[str, float | None]) -> np.ndarray:
    """The row of :data:`GATE_FEATURES`; an input that does not apply (None) is NaN, read
    at the mean by :func:`probability` and :func:`fit`."""
    return np.asarray(
        [np.nan if (v := feats.get(n, 0.0)) is None else float(v) for n in GATE_FEATURES],
        dtype=np.float64,
    )


def probability(model: Mapping[str, Any], feats: Mapping[str, float | None]) -> float:
    """P(answerable) under a fitted model's weights (see :func:`fit`); an input that does
    not apply (None) is read at its mean."""
    z = np.nan_to_num((vector(feats) - np.asarray(model["mean"])) / np.asarray(model["scale"]))
    s = float(z @ np.asarray(model["weights"]) + model["bias"])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))


# The direction each input can push P(answerable), from what it means: more of the asked
# thing found in the top clauses can only make an answer likelier, more of it missing only
# less.  The fit keeps every weight on its side of zero (0 allowed) — a few dozen
# unanswerable questions per set cannot support a weight against the input's meaning (a
# correlated input took the opposite sign in unconstrained fits: "the rarest topic word
# no top clause holds" raised P(answerable)), and held out, the constrained fit was as
# good or better at every L2 strength (eval.calibrate, docs/evaluation-history.md "Refusal gate").  0: free
# (how many topic words a question has says nothing by itself about either side).
GATE_SIGNS: dict[str, int] = {
    "dense1": 1,
    "topic_title": 1,
    "topic_best3": 1,
    "topic_missing": -1,
    "number_missing": -1,
    "governing": 1,
    "agree": 1,
    "short_topic": 0,
    "code_absent": -1,
    "asked_best3": 1,
    "value_unnamed": -1,
    "sent_best": 1,
    "topic_idf": 1,
    "element_top": 1,
    "rare_unmatched": -1,
    "known_unmatched": -1,
    "unit_stated": 1,
    "slot_filled": 1,
    "term_in_doc": 1,
    "object_held": 1,
    "slot_lead": 1,
    "dense_slot": 1,
    "sent_slot": 1,
    "ask_held": 1,
}


def fit(
    rows: Sequence[Mapping[str, float | None]],
    labels: Sequence[bool],
    *,
    l2: float = 1.0,
    iters: int = 3000,
    lr: float = 0.2,
    signs: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Logistic regression (numpy, L2, standardised features, classes balanced: a few
    dozen unanswerable questions against hundreds of answerable ones), each weight kept
    on the side of zero ``signs`` gives it (:data:`GATE_SIGNS` by default; ``{}``: none),
    by projected gradient descent."""
    x = np.vstack([vector(r) for r in rows])
    y = np.asarray([1.0 if v else 0.0 for v in labels])
    # Mean and spread over the questions an input applies to; where it does not (NaN),
    # it is read at that mean: standardised 0, no push either way.
    seen = ~np.isnan(x)
    count = np.maximum(seen.sum(axis=0), 1)
    mean = np.where(seen, x, 0.0).sum(axis=0) / count
    scale = np.sqrt(np.where(seen, (x - mean) ** 2, 0.0).sum(axis=0) / count)
    scale[scale < 1e-9] = 1.0
    z = np.where(seen, (x - mean) / scale, 0.0)
    pos = max(1.0, float(y.sum()))
    neg = max(1.0, float(len(y) - y.sum()))
    sw = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg))
    side = GATE_SIGNS if signs is None else signs
    sign = np.asarray([side.get(n, 0) for n in GATE_FEATURES], dtype=np.float64)
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -30.0, 30.0)))
        g = sw * (p - y)
        w -= lr * (z.T @ g / len(y) + l2 * w / len(y))
        w = np.where(sign > 0, np.maximum(w, 0.0), np.where(sign < 0, np.minimum(w, 0.0), w))
        b -= lr * float(g.mean())
    return {
        "features": list(GATE_FEATURES),
        "weights": w.round(6).tolist(),
        "bias": round(b, 6),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
    }
