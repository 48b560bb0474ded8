"""renderers/pdf/linebreak.py: Chinese line breaking with 禁则."""
from __future__ import annotations

import random

from renderers.pdf.linebreak import NO_LINE_END, NO_LINE_START, wrap


def width(text: str) -> float:
    return sum(1.0 if ord(c) < 0x2E80 else 2.0 for c in text)


def test_wrap__closing_punctuation__never_starts_a_line():
    assert wrap("一二三四，五六", 8, width) == ["一二三", "四，五六"]
    assert wrap("一二三四）。五六", 8, width) == ["一二三", "四）。五", "六"]


def test_wrap__opening_punctuation__never_ends_a_line():
    assert wrap("一二三（四五", 8, width) == ["一二三", "（四五"]


def test_wrap__latin_run__kept_whole_or_broken_after_marks():
    assert wrap("电话 010-68123456", 12, width) == ["电话", "010-68123456"]
    assert wrap("wang.xiaoyan@example.com", 14, width) == ["wang.xiaoyan@", "example.com"]


def test_wrap__random_text__lines_fit_and_obey_rules():
    rng = random.Random(7)
    alphabet = "教师资格定期注册申请表北京市海淀区" + "".join(NO_LINE_START) + "（《“" + "ab12 "
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        lines = wrap(text, 12, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for i, line in enumerate(lines):
            if i and line and line[0] in NO_LINE_START:
                # allowed only when the previous line could give nothing up (all punctuation)
                assert all(c in NO_LINE_START for c in lines[i - 1]), (text, lines)
            if i < len(lines) - 1 and line and line[-1] in NO_LINE_END:
                assert all(c in NO_LINE_END for c in line), (text, lines)


def test_wrap__hard_line_breaks__kept():
    assert wrap("第一行\n第二行", 100, width) == ["第一行", "第二行"]
