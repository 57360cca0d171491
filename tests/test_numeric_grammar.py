"""Session 15: periods the quantities grammar misread.

The support check (:mod:`qa.support`) and the faithfulness metric compare the amounts of a
statement with those of the clause it cites (:mod:`grammar.quantities`).  "一个半小时" was
read as the 半小时 inside it (0.5 h), so an answer saying "1.5 h" for it counted as a
wrong amount; "一至两年半" started at 1.5 years instead of ending at 2.5; "两个星期" and
"两个钟头" stated no period at all.
"""

from __future__ import annotations

from grammar.quantities import quantities, same_quantity


def test_the_grammar_reads_half_periods_weeks_and_hours_of_the_clock() -> None:
    """Read: "一个半小时" is 1.5 h, the same amount as "1.5 h" and "90 min"; a range
    ending in 半 ends half a unit later and starts where it says."""
    (q,) = quantities("保持一个半小时。")
    assert q.value == 5400.0
    assert same_quantity(q, quantities("保持1.5 h")) and same_quantity(q, quantities("90 min"))
    (r,) = quantities("聘期一至两年半。")
    assert (r.value, r.high, r.family) == (12.0, 30.0, "month")
    (y,) = quantities("一年半")
    assert y.value == 18.0
    assert [q.value for q in quantities("需要两个星期。")] == [14 * 86400.0]
    assert same_quantity(quantities("约两个钟头。")[0], quantities("2 h"))
