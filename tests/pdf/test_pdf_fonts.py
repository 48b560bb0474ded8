"""renderers/pdf/fonts.py: finding Noto Sans CJK SC and preparing it once."""
from __future__ import annotations


import pytest

import pdf_samples
from renderers.pdf import FontNotFound, FontPlan, find_fonts, prepared_fonts, render_pdf
from renderers.pdf import fonts as fonts_module
from renderers.pdf.fonts import PreparedFonts

RARE = "堃喆珺镕䶮"


def test_find_fonts__configured_path_missing__error_names_debian_package(tmp_path):
    with pytest.raises(FontNotFound, match="fonts-noto-cjk") as caught:
        find_fonts(regular=tmp_path / "NotoSansCJK-Regular.ttc")
    assert str(tmp_path / "NotoSansCJK-Regular.ttc") in str(caught.value)


def test_find_fonts__environment_variable_wrong__error_names_debian_package(tmp_path):
    with pytest.raises(FontNotFound, match="apt-get install fonts-noto-cjk"):
        find_fonts(environ={"SHENBAO_CJK_FONT": str(tmp_path / "nope.ttc")})


def test_find_fonts__nothing_in_standard_places__error_not_a_blank_pdf(tmp_path, monkeypatch, samples):
    monkeypatch.setattr(fonts_module, "FONT_DIRS", (tmp_path,))
    with pytest.raises(FontNotFound, match="fonts-noto-cjk"):
        find_fonts(environ={})
    with pytest.raises(FontNotFound):
        render_pdf(pdf_samples.view(samples["typed_without_photo"]), prepared_fonts(find_fonts(environ={})))


def test_find_fonts__standard_debian_path__face_2_of_the_collection():
    source = find_fonts(environ={})
    assert source.regular.name == "NotoSansCJK-Regular.ttc" and source.bold.name == "NotoSansCJK-Bold.ttc"
    assert source.index == 2


def test_prepared_fonts__rare_characters__covered_by_a_prepared_file():
    plan = prepared_fonts().plan(RARE + "教师资格")
    assert plan.missing == frozenset()
    assert plan.fallbacks, "rare characters come from the shards, not from the common file"
    from fontTools.ttLib import TTFont
    covered = set()
    for path in (plan.regular, *plan.fallbacks):
        covered |= set(TTFont(path, lazy=True).getBestCmap())
    assert {ord(c) for c in RARE + "教师资格"} <= covered


def test_prepared_fonts__common_text__no_extra_files():
    plan = prepared_fonts().plan("教师资格定期注册申请表，王晓燕（女）：2026-09-15")
    assert plan.fallbacks == () and plan.missing == frozenset()


def test_prepared_fonts__unwritable_cache__falls_back_to_the_collection(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    prepared = PreparedFonts(find_fonts(), blocker)
    plan = prepared.plan("王")
    assert plan == FontPlan(prepared.source.regular, prepared.source.bold, 2)


def test_prepared_fonts__preparation__deterministic_bytes():
    """The same source gives byte-identical prepared files, hence identical documents anywhere."""
    source = find_fonts()
    make = lambda: fonts_module.subset_face(source.regular, source.index, {ord(c) for c in RARE}, "Test")
    first = make()
    assert first == make()
    assert b"Noto Sans CJK SC Test" in first or "Noto Sans CJK SC Test".encode("utf-16-be") in first


# Extension B (𠮷 U+20BB7, which Noto has; 𪚥 U+2A6A5, which it lacks) and E (U+2B820, from HanaMin B).
EXTENSIONS = "\U00020BB7\U0002A6A5\U0002B820"


def test_prepared_fonts__cjk_extensions_b_to_f__printed_and_read_back(samples):
    values = {**samples["rare_name"], "name": "王\U00020BB7", "address": "广州市\U0002A6A5路\U0002B820号"}
    plan = prepared_fonts().plan(EXTENSIONS)
    assert plan.missing == frozenset(), "fonts-hanazono (scripts/bootstrap.sh) covers Extensions B-F"
    text = pdf_samples.pdftotext(render_pdf(pdf_samples.view(values)), "-layout")
    for char in EXTENSIONS:
        assert char in text, f"U+{ord(char):X} not read back"
    # and no missing-glyph warning: conftest.no_missing_glyphs checks every test


def test_name_rule__every_ideograph_it_accepts__some_font_prints():
    from engine.normalize import Unacceptable, normalize_text
    from engine.rules import _NAME

    covered = prepared_fonts().covered()
    accepted_unprinted = []
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0x20000, 0x3134F)):
        for code in range(lo, hi + 1):
            char = chr(code)
            try:
                value = normalize_text(char, ("fold_width", "trim"))
            except Unacceptable:
                continue
            if value and _NAME.match(value) and code not in covered:
                accepted_unprinted.append(f"U+{code:X}")
    assert accepted_unprinted == []
