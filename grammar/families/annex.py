"""Annexes: ``附录A`` with its status, and annex clauses ``A.1``, ``A.1.2`` ….

Syntax: "附录" (letters may be spaced apart by a PDF: "附 录 B") and one capital letter that
does not run into a word ("附录A 服务流程", "附录A（规范性）", not "附录A给出"); the status
mark that follows is read in every edition's wording: 2020 "（规范性）"/"（资料性）", 2009
"（规范性附录）"/"（资料性附录）", 2000 and older "（标准的附录）"/"（提示的附录）"/"（参考性附录）".
An annex clause is a capital letter, a dot and one to five GB components ("B.2.1").
Depth: annex 1, annex clause = components + 1.  Key: ``ANNEX_BASE + letter index`` first,
so that annexes sort after chapters and their clauses hang below them.
Rejected as references: "附录A给出", "A.1 中规定".
"""

from __future__ import annotations

import re
from dataclasses import replace

from grammar.families import gb
from grammar.families.base import (
    ANNEX_BASE,
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    followed_by_reference,
    halfwidth,
)
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext
from grammar.families.gb import GbTree
from grammar.schema import AnnexType, ClauseKind
from grammar.title_split import TitleRules, next_line_title
from grammar.titles import title_like

_SP = r"[ \t]"
RE_ANNEX = re.compile(rf"^附{_SP}*录{_SP}*(?P<letter>[A-Z])(?=$|{_SP}|\(|[:：]|[^\w])")
RE_ANNEX_CLAUSE = re.compile(
    r"^(?P<letter>[A-Z])\.(?P<rest>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})(?=$|[ \t])"
)
RE_ANNEX_CLAUSE_GLUED = re.compile(
    r"^(?P<letter>[A-Z])\.(?P<rest>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})(?=[\u4e00-\u9fff])"
)
RE_ANNEX_TYPE = re.compile(
    r"^[ \t]*[(（]\s*(?P<t>规范性|资料性|参考性|提示的|标准的)(?:附录)?\s*[)）]"
)


def annex_numbering(letter: str) -> Numbering:
    idx = ord(letter) - ord("A")
    return Numbering(Family.GB, ClauseKind.ANNEX, (ANNEX_BASE + idx,), 1, f"附录{letter}")


def annex_clause_numbering(letter: str, rest: str) -> Numbering:
    idx = ord(letter) - ord("A")
    parts = tuple(int(p) for p in rest.split("."))
    key = (ANNEX_BASE + idx, *parts)
    return Numbering(Family.GB, ClauseKind.ANNEX_CLAUSE, key, len(key), f"{letter}.{rest}")


def parse_annex_type(text: str) -> AnnexType | None:
    """ "（规范性）" / "（规范性附录）" / "（标准的附录）" -> NORMATIVE; "（资料性）" … -> INFORMATIVE."""
    m = RE_ANNEX_TYPE.match(halfwidth(text))
    if not m:
        return None
    return AnnexType.NORMATIVE if m.group("t") in ("规范性", "标准的") else AnnexType.INFORMATIVE


# A question about an annex's status: "规范性附录还是资料性附录", "附录B是什么性质的".
RE_ASKS_ANNEX_STATUS = re.compile(r"规范性|资料性|标准的附录|提示的附录|性质")


def asks_annex_status(question: str) -> bool:
    """Does ``question`` ask whether an annex is normative or informative?  Then the annex
    heading, which alone states the status, is the answer and is cited."""
    return bool(RE_ASKS_ANNEX_STATUS.search(question))


def annex_type_span(text: str) -> int:
    """Length of a leading annex status mark in ``text`` (0 if none)."""
    m = RE_ANNEX_TYPE.match(halfwidth(text))
    return m.end() if m else 0


# ================================================================ in the tree
class AnnexTree(GbTree):
    """Annexes hang in the GB tree (after the chapters, their clauses below them); an
    annex heading line may leave its status mark and its title to the next lines."""

    def title_from_next_lines(self, node: Node, ctx: TreeContext, j: int) -> int:
        if node.kind is not ClauseKind.ANNEX:
            return super().title_from_next_lines(node, ctx, j)
        lines = ctx.lines
        if node.annex_type is None and j < len(lines):
            atype = parse_annex_type(lines[j].text)
            if atype is not None:
                node.annex_type = atype
                j += 1
        if (
            not node.title
            and j < len(lines)
            and not lines[j].literal
            and next_line_title(lines[j].text, self.title_rules(node.kind, 1))
        ):
            node.title = lines[j].text.strip()
            j += 1
        return j

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        rules = super().title_rules(kind, level)
        if kind is ClauseKind.ANNEX:
            return replace(rules, next_line=40, next_line_modal_ok=True)
        return rules


TREE = AnnexTree()


class AnnexFamily(FamilyDefaults):
    """附录X with its status mark (see module doc)."""

    name = "annex"
    first = "附"
    tree: AnnexTree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_ANNEX.match(s)
        if m is None:
            return None
        end = m.end()
        if followed_by_reference(s, end):
            return REFERENCE
        after = s[end:]
        atype = parse_annex_type(after)
        rest = end + annex_type_span(after)
        return HeadingMatch(annex_numbering(m.group("letter")), pos, pos + rest, atype)

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """An annex heading stands on a line of its own with a title, a status mark or
        nothing after it, and each annex letter once."""
        if mode != "line" or self.tree.taken(hm.numbering.key, mode, ctx):
            return False
        rest = line[hm.rest_start :]
        return not rest.strip() or title_like(rest, 40) or parse_annex_type(rest) is not None


class AnnexClauseFamily(FamilyDefaults):
    """A.1, B.2.1 … (see module doc)."""

    name = "annex_clause"
    first = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    tree: AnnexTree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        if m := RE_ANNEX_CLAUSE.match(s):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            num = annex_clause_numbering(m.group("letter"), m.group("rest"))
            return HeadingMatch(num, pos, pos + m.end())
        if glued and (m := RE_ANNEX_CLAUSE_GLUED.match(s)):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            num = annex_clause_numbering(m.group("letter"), m.group("rest"))
            return HeadingMatch(num, pos, pos + m.end(), glued=True)
        return None

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """The GB sequence rules, inside an annex that was opened ("A.1" needs "附录A")."""
        if mode != "tail" and hm.numbering.key[:1] not in ctx.state(Family.GB).seen:
            return False
        return gb.FAMILY.accept(hm, line, mode, opened, ctx)


ANNEX = AnnexFamily()
ANNEX_CLAUSE = AnnexClauseFamily()
