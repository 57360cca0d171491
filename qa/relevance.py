"""Is a retrieved clause actually about the question?  And which of its sentences are?

Dense retrieval always returns *something*; a food-additive question over a corpus of
service standards still gets a top hit with a respectable cosine.  Refusing needs a second,
independent signal: how much of the question's own wording the clause contains.  Chinese
has no spaces, so wording is compared as character bigrams (robust to jieba's segmentation
choices and to the space-riddled text of scraped slides).

Thresholds are calibrated on the evaluation set (answerable vs unanswerable questions, see
eval/ and README); they live in :class:`RelevancePolicy` so a different embedder can carry
its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbering import halfwidth

# Words that carry the question's form, not its topic.
_FILLER = re.compile(
    r"请问|请|一下|怎么样|怎么|怎样|如何|什么|哪些|哪个|哪里|多少|是否|能否|可以|可不可以|有没有|"
    r"是不是|需要|应该|应当|吗|呢|吧|啊|呀|的话|关于|对于|有关|相关|规定|要求|说明|具体|"
    r"里面|其中|一般|通常|我们|我|你|他们|这个|那个|这些|那些|它|其|该|本|条款|内容|问题|说了|讲了|写了"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]+(?:/[A-Za-z]+)?|\d+(?:\.\d+)*")
_SENTENCE = re.compile(r"(?<=[。；！？!?;])|\n")


def content_grams(text: str) -> set[str]:
    """Character bigrams of the Chinese words, plus Latin words and numbers, minus filler."""
    t = _FILLER.sub(" ", halfwidth(text))
    grams: set[str] = set()
    singles: set[str] = set()
    for run in _CJK_RUN.findall(t):
        if len(run) == 1:
            singles.add(run)  # leftovers such as "列" in "怎么列": only if nothing else
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(m.lower() for m in _LATIN.findall(t))
    return grams or singles


def coverage(query_grams: set[str], text: str) -> float:
    """Share of the question's content bigrams that occur in ``text`` (0..1)."""
    if not query_grams:
        return 0.0
    hay = halfwidth(text).lower()
    return sum(1 for g in query_grams if g in hay) / len(query_grams)


def sentences(text: str) -> list[str]:
    """Sentences and lines of a clause body, in order, without empty pieces."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


@dataclass(slots=True, frozen=True)
class RelevancePolicy:
    """When is the best hit good enough to answer from?

    ``min_dense``: cosine of the best hit (embedder-specific scale).
    ``min_coverage``: share of the question's content bigrams found in the clause (with
    its title and heading path).  ``strong_coverage``: enough wording overlap to answer
    even when the dense score is low (exact terms such as "规范性引用文件").
    """

    min_dense: float = 0.80
    min_coverage: float = 0.34
    strong_coverage: float = 0.70

    def accepts(self, dense: float | None, cover: float, exact: bool = False) -> bool:
        if exact:
            return True
        if cover >= self.strong_coverage:
            return True
        return dense is not None and dense >= self.min_dense and cover >= self.min_coverage
