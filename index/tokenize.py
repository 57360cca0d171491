"""BM25 tokens: jieba words, with clause numbers, standard codes and domain terms whole.

Generic Chinese tokenisation breaks exactly the strings drafters search for: "5.2.1"
becomes "5", ".", "2" …; "GB/T 24421.3-2009" scatters into letters and digits; and
"规范性引用文件" may be cut into "规范性 / 引用 / 文件", so a query for the element
matches every clause mentioning "文件".  Here protected spans are found first by regular
expressions (codes via :func:`grammar.codes.find_codes`, clause references), emitted as one
normalised token each, and only the text between them goes to jieba — a private
``jieba.Tokenizer`` with our domain dictionary (``domain_terms.txt``), so the process-wide
jieba state of other libraries is untouched.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path

import jieba

from grammar.codes import code_base, find_codes
from grammar.numbering import normalize_clause_no
from grammar.refs import find_refs
from index import jieba_dict

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for our users

DOMAIN_TERMS = Path(__file__).with_name("domain_terms.txt")

_WORD = re.compile(r"[\w\u4e00-\u9fff]")

# Function words and particles that carry no retrieval signal.  Deliberately short: the
# 能愿动词 (应, 宜, 可 …) are meaningful in standards and IDF already discounts them.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "是",
        "在",
        "对",
        "中",
        "把",
        "被",
        "为",
        "以",
        "等",
        "其",
        "之",
        "也",
        "就",
        "都",
        "而",
        "并",
        "由",
        "从",
        "向",
        "到",
        "于",
        "这",
        "那",
        "该",
        "此",
        "个",
        "哪些",
        "什么",
        "怎么",
        "怎样",
        "如何",
        "吗",
        "呢",
        "吧",
        "啊",
        "请问",
        "一下",
        "我",
        "我们",
        "你",
        "您",
        "他们",
        "有",
        "没有",
        "要",
        "需要",
        "需",
        "是否",
        "能否",
        "可以",
        "哪",
        "里",
        "里面",
        "一个",
    ]
)


class Tokenizer:
    """Thread-safe BM25 tokenizer; one instance per process is enough (see :func:`get`)."""

    def __init__(self, user_dict: Path | None = DOMAIN_TERMS) -> None:
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._user_dict = user_dict
        self._ready = False

    def _init(self) -> None:
        """jieba's prefix dictionary (plus our domain terms): from the workspace's compact
        cache when it exists (milliseconds, see :mod:`index.jieba_dict`), else built by
        jieba as usual (~1 s) and written to that cache for the next process."""
        with self._lock:
            if self._ready:
                return
            cache_dir = _jieba_cache_dir()
            path = Path(cache_dir) / jieba_dict.cache_name(self._user_dict) if cache_dir else None
            compact = jieba_dict.load(path) if path is not None else None
            if compact is not None:
                self._jieba.FREQ = compact
                self._jieba.total = compact.total
                self._jieba.initialized = True
            else:
                self._jieba.tmp_dir = cache_dir
                self._jieba.initialize()
                if self._user_dict and self._user_dict.exists():
                    self._jieba.load_userdict(str(self._user_dict))
                if path is not None:
                    jieba_dict.save(path, self._jieba.FREQ, self._jieba.total)
                    # The same mapping, ~60 MB smaller: switch to it at once (peak
                    # memory of a first build in a new workspace).
                    compact = jieba_dict.load(path)
                    if compact is not None and compact.total == self._jieba.total:
                        self._jieba.FREQ = compact
            self._ready = True

    @staticmethod
    def normalize(text: str) -> str:
        return unicodedata.normalize("NFKC", text)

    def protected(self, text: str) -> tuple[list[str], str]:
        """Protected tokens of ``text`` and the text with their spans blanked out."""
        tokens: list[str] = []
        chars = list(text)

        def blank(start: int, end: int) -> None:
            for i in range(start, end):
                chars[i] = " "

        for m in find_codes(text):
            code = re.sub(r"\s+", "", m.code).lower()
            tokens.append(code)
            base = re.sub(r"\s+", "", code_base(m.code)).lower()
            if base != code:
                tokens.append(base)
            blank(m.start, m.end)
        blanked = "".join(chars)
        # Clause references worth keeping whole: "5.2.1", "A.1.2", "附录B", "第三条", "表1",
        # "图A.2", and dotted numbers with units ("0.5 m" keeps "0.5").
        for ref in find_refs(blanked, tables=True, quantities=True, skip=()):
            if not ref.candidates:  # "第二款" is no clause: jieba's words, as ever
                continue
            tokens.append(normalize_clause_no(ref.text))
            blank(ref.start, ref.end)
        return tokens, "".join(chars)

    def words(self, text: str) -> list[str]:
        """``text`` cut into jieba words (with our domain terms), every character kept, in
        order: ``"".join(words(t)) == t``."""
        if not self._ready:
            self._init()
        return list(self._jieba.cut(text, HMM=False))

    def tokenize(self, text: str) -> list[str]:
        """Tokens for BM25 (used for clauses and queries alike)."""
        if not self._ready:
            self._init()
        text = self.normalize(text)
        tokens, rest = self.protected(text)
        for word in self._jieba.cut_for_search(rest, HMM=False):
            w = word.strip().lower()
            if not w or w in STOPWORDS or not _WORD.search(w):
                continue
            tokens.append(w)
        return tokens


def _jieba_cache_dir() -> str | None:
    """jieba's prefix-dictionary cache kept with the workspace's model cache, so it is
    built once per workspace (not again whenever the system's temp directory is cleaned)."""
    from index.embed_cache import model_cache_dir

    path = model_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # read-only workspace: jieba's default (the temp directory)
    return str(path)


_DEFAULT: Tokenizer | None = None


def get() -> Tokenizer:
    """The shared tokenizer (jieba's dictionary load takes ~1 s, do it once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Tokenizer()
    return _DEFAULT


def tokenize(text: str) -> list[str]:
    return get().tokenize(text)


def words(text: str) -> list[str]:
    """``text`` cut into jieba words (with our domain terms), every character kept, in
    order: ``"".join(words(t)) == t``.  For reading a question's grammar (qa.asks), not
    for BM25."""
    return get().words(text)


def load_dictionary() -> None:
    """Load jieba's dictionary now (a build does this before loading the embedder, so
    that a first, uncached load — briefly ~70 MB — never coincides with the model)."""
    get()._init()
