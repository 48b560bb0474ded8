"""The reference and demo data files that flows/teacher_registration.yaml declares.

Reads the files with plain PyYAML (no engine import) and checks them against the flow's
`datasets:` section: shapes, keys, references, resident-ID checksums, certificate numbers,
photos, and that the demo agencies still cover every gate of step 4 today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FLOW_PATH = ROOT / "flows" / "teacher_registration.yaml"
PHOTOS = ROOT / "data" / "demo" / "photos"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
TEST_VECTORS = {"11010519491231002X", "34052419800101001X", "440524188001010014"}
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}
CERT_TYPE_STAGE = {"1": "kindergarten", "2": "primary", "3": "junior", "4": "senior", "5": "vocational", "6": "vocational"}
FORMATS = {
    "date": ("%Y-%m-%d", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    "datetime": ("%Y-%m-%d %H:%M", re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")),
}

with FLOW_PATH.open(encoding="utf-8") as _f:
    DATASETS = yaml.safe_load(_f)["datasets"]


def _load(name: str) -> list[dict]:
    with (FLOW_PATH.parent / DATASETS[name]["file"]).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _parse(value: str | None, column_type: str):
    if value is None:
        return None
    return dt.datetime.strptime(value, FORMATS[column_type][0])


def _typed(name: str) -> list[dict]:
    """Rows with date/datetime columns parsed the way the loader will parse them."""
    columns = DATASETS[name]["columns"]
    rows = []
    for row in _load(name):
        typed = dict(row)
        for column, column_type in columns.items():
            if column_type in FORMATS:
                parsed = _parse(row[column], column_type)
                typed[column] = parsed.date() if parsed and column_type == "date" else parsed
        rows.append(typed)
    return rows


def _codes(name: str) -> set[str]:
    return {row["code"] for row in _load(name)}


def _id_problem(id_no: str) -> str | None:
    if not re.fullmatch(r"\d{17}[\dX]", id_no):
        return "not 17 digits and a check character"
    if CHECK_CHARS[sum(int(c) * w for c, w in zip(id_no, WEIGHTS)) % 11] != id_no[17]:
        return "wrong check character"
    try:
        birth = dt.datetime.strptime(id_no[6:14], "%Y%m%d").date()
    except ValueError:
        return "birth date is not a real date"
    if birth > dt.date.today():
        return "birth date in the future"
    return None


# ---- every dataset ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset__file__is_a_nonempty_list_of_mappings(name):
    rows = _load(name)
    assert isinstance(rows, list) and rows, f"{name}: expected a non-empty YAML list"
    assert all(isinstance(row, dict) for row in rows), f"{name}: every item must be a mapping"


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset__rows__have_exactly_the_declared_columns(name):
    declared = set(DATASETS[name]["columns"])
    for index, row in enumerate(_load(name)):
        assert set(row) == declared, (
            f"{name}[{index}]: missing {sorted(declared - set(row))}, extra {sorted(set(row) - declared)}"
        )


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset__values__are_strings_or_null_in_the_column_format(name):
    columns = DATASETS[name]["columns"]
    for index, row in enumerate(_load(name)):
        for column, value in row.items():
            where = f"{name}[{index}].{column}"
            assert value is None or isinstance(value, str), f"{where}: {value!r} is not a string (quote it)"
            if value is None:
                continue
            assert value == value.strip() or column == "notes", f"{where}: stray whitespace"
            if columns[column] in FORMATS:
                assert FORMATS[columns[column]][1].match(value), f"{where}: {value!r} is not {columns[column]}"
                _parse(value, columns[column])  # raises on 2026-02-30


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset__key__is_unique_and_never_null(name):
    key = DATASETS[name]["key"]
    seen = Counter(tuple(row[k] for k in key) for row in _load(name))
    assert all(None not in values for values in seen), f"{name}: a key column is null"
    duplicates = [values for values, count in seen.items() if count > 1]
    assert not duplicates, f"{name}: duplicate key {key} {duplicates}"


@pytest.mark.parametrize("name", ["teaching_stages", "subjects", "cert_types", "materials", "code_lists",
                                  "agencies", "points"])
def test_dataset__codes__are_ascii_snake_case(name):
    for row in _load(name):
        assert re.fullmatch(r"[a-z0-9][a-z0-9_]*", row["code"]), f"{name}: code {row['code']!r}"


# ---- reference data ---------------------------------------------------------------------


def test_teaching_stages__list__is_the_five_stages_in_order():
    assert [(r["code"], r["name"]) for r in _load("teaching_stages")] == [
        ("kindergarten", "幼儿园"), ("primary", "小学"), ("junior", "初级中学"),
        ("senior", "高级中学"), ("vocational", "中等职业学校"),
    ]


def test_cert_types__list__is_types_1_to_6_without_universities():
    rows = _load("cert_types")
    assert [r["code"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[0]["name"] == "幼儿园教师资格" and rows[5]["name"] == "中等职业学校实习指导教师资格"
    assert not any("高等学校" in r["name"] for r in rows)


def test_ethnic_groups__list__is_gb_t_3304_in_order():
    rows = _load("ethnic_groups")
    groups = [r for r in rows if r["code"] <= "56"]
    assert [r["code"] for r in groups] == [f"{n:02d}" for n in range(1, 57)]
    assert len({r["name"] for r in groups}) == 56 and all(r["name"].endswith("族") for r in groups)
    named = {r["code"]: r["name"] for r in rows}
    assert (named["01"], named["02"], named["05"], named["10"], named["46"], named["56"]) == (
        "汉族", "蒙古族", "维吾尔族", "朝鲜族", "德昂族", "基诺族")
    assert set(named) - {r["code"] for r in groups} <= {"97", "98"}


def test_subjects__stage__names_a_teaching_stage_or_is_null_for_none():
    stages = _codes("teaching_stages")
    rows = _load("subjects")
    assert any(r["code"] == "none" and r["name"] == "无" and r["stage"] is None for r in rows)
    for row in rows:
        assert row["stage"] in stages or (row["code"] == "none" and row["stage"] is None), row
    assert len({r["name"] for r in rows}) == len(rows), "two subjects share a label"
    by_name = {r["name"]: r["stage"] for r in rows}
    assert by_name["高中通用技术"] == "senior" and "初中通用技术" not in by_name
    assert by_name["初中道德与法治"] == "junior" and by_name["幼儿教育"] == "kindergarten"
    assert by_name["中职实习指导"] == "vocational"


def test_code_lists__each_list__has_the_expected_names():
    names: dict[str, list[str]] = {}
    for row in _load("code_lists"):
        names.setdefault(row["list"], []).append(row["name"])
    assert names == {
        "degree": ["博士", "硕士", "学士", "无"],
        "education": ["研究生", "大学本科", "大学专科", "中专/高中", "其他"],
        "study_mode": ["全日制", "非全日制/成人教育", "自学考试", "网络教育", "其他"],
        "major_category": ["师范类", "非师范类"],
        "political_status": ["中共党员", "中共预备党员", "共青团员", "民主党派", "群众"],
        "school_nature": ["公办", "民办"],
        "post_nature": ["专任教师", "管理人员兼任教学", "其他"],
        "putonghua_level": ["一级甲等", "一级乙等", "二级甲等", "二级乙等", "三级甲等", "三级乙等", "未取得"],
        "professional_title": ["正高级教师", "高级教师", "一级教师", "二级教师", "三级教师", "未评"],
    }


def test_materials__list__covers_the_article_14_checklist():
    names = " ".join(r["name"] for r in _load("materials"))
    for needed in ("申请表", "一式两份", "证书原件", "聘用合同", "师德表现证明", "年度考核", "360学时",
                   "体检", "试用期考核"):
        assert needed in names, needed


# ---- demo certificates ------------------------------------------------------------------


def test_certificates__id_no__passes_gb_11643_and_matches_birth_date_and_gender():
    for cert in _typed("certificates"):
        problem = _id_problem(cert["id_no"])
        assert problem is None, f"{cert['id_no']}: {problem}"
        assert cert["id_no"][6:14] == cert["birth_date"].strftime("%Y%m%d"), cert["id_no"]
        expected = "male" if int(cert["id_no"][16]) % 2 else "female"
        assert cert["gender"] == expected, f"{cert['id_no']}: 17th digit says {expected}"


def test_id_checksum__public_test_vectors__pass_and_are_in_the_demo():
    for id_no in TEST_VECTORS:
        assert _id_problem(id_no) is None
    assert _id_problem("110105194912310021") == "wrong check character"
    assert _id_problem("110105194902300026") is not None  # 1949-02-30
    assert TEST_VECTORS <= {c["id_no"] for c in _load("certificates")}


def test_certificates__references__exist():
    cert_types, subjects, ethnic = _codes("cert_types"), _codes("subjects"), _codes("ethnic_groups")
    for cert in _load("certificates"):
        assert cert["cert_type"] in cert_types, cert["cert_no"]
        assert cert["subject"] in subjects, cert["cert_no"]
        assert cert["ethnic_group"] in ethnic, cert["cert_no"]
        assert cert["gender"] in {"male", "female"}, cert["cert_no"]
        assert cert["state"] in {"valid", "revoked", "restricted"}, cert["cert_no"]


def test_certificates__subject__belongs_to_the_certificate_type_stage():
    stage_of = {r["code"]: r["stage"] for r in _load("subjects")}
    for cert in _load("certificates"):
        if cert["subject"] != "none":
            assert stage_of[cert["subject"]] == CERT_TYPE_STAGE[cert["cert_type"]], cert["cert_no"]


def test_certificates__cert_no__standard_numbers_encode_year_province_and_type():
    lengths = Counter()
    for cert in _typed("certificates"):
        number, year = cert["cert_no"], cert["issue_date"].year
        assert re.fullmatch(r"[0-9A-Z]{1,30}", number), number  # the flow's cert_no rules
        lengths[len(number)] += 1
        if len(number) == 17 and number.isdigit():
            assert int(number[:4]) == year and number[9] == cert["cert_type"], number
            assert number[4:6] in PROVINCES, number
        elif len(number) == 15 and number.isdigit():
            assert 1996 <= 1900 + int(number[:2]) == year, number
            assert number[2:4] in PROVINCES and number[7] == cert["cert_type"], number
    assert lengths[17] >= 20 and lengths[15] >= 3, lengths
    assert lengths[12] >= 1 and lengths[16] >= 1, "need nonstandard 12- and 16-character numbers"
    assert len({c["cert_no"] for c in _load("certificates")}) == len(_load("certificates")), "cert_no repeats"


def test_certificates__dates__are_plausible_and_not_in_the_future():
    today = dt.date.today()
    for cert in _typed("certificates"):
        assert cert["birth_date"] < cert["issue_date"] <= today, cert["cert_no"]
        assert cert["issue_date"].year - cert["birth_date"].year >= 18, cert["cert_no"]
        if cert["registered_on"]:
            assert cert["issue_date"] < cert["registered_on"] <= today < dt.date(2100, 1, 1)
            assert cert["next_registration_from"] is not None, cert["cert_no"]


def test_certificates__photo__files_exist_are_small_jpegs_for_about_half():
    from PIL import Image  # Pillow comes with fpdf2

    certs = _load("certificates")
    photos = [c["photo"] for c in certs if c["photo"]]
    assert 0.35 <= len(photos) / len(certs) <= 0.65, f"{len(photos)} photos for {len(certs)} certificates"
    for name in photos:
        path = PHOTOS / name
        assert path.is_file(), path
        assert path.stat().st_size < 8 * 1024, path
        with Image.open(path) as image:
            assert (image.format, image.size) == ("JPEG", (114, 156)), path


def test_certificates__demo_cases__each_case_has_a_row():
    today = dt.date.today()
    certs = _typed("certificates")
    states = Counter(c["state"] for c in certs)
    assert states["revoked"] >= 1 and states["restricted"] >= 1 and states["valid"] >= 30
    assert any(c["next_registration_from"] and c["next_registration_from"] > today for c in certs), "registered"
    assert any(c["next_registration_from"] and c["next_registration_from"] <= today for c in certs), "due again"
    assert any(c["banned_until"] and c["banned_until"] >= today and c["state"] == "valid" for c in certs), "banned"
    assert any(c["subject"] == "none" for c in certs)
    assert {c["cert_type"] for c in certs} == set(CERT_TYPE_STAGE)
    names = "".join(c["name"] for c in certs)
    for rare in "堃喆䶮珺镕·":
        assert rare in names, rare
    assert any(c["id_no"].endswith("X") and c["id_no"] not in TEST_VECTORS for c in certs)
    assert max(Counter(c["id_no"] for c in certs).values()) >= 2, "one person should hold two certificates"


def test_applications__row__names_a_demo_certificate_that_passes_the_other_gates():
    certs = {(c["cert_no"], c["id_no"]): c for c in _load("certificates")}
    for app in _load("applications"):
        cert = certs.get((app["cert_no"], app["id_no"]))
        assert cert is not None, app
        assert cert["state"] == "valid" and not cert["banned_until"] and not cert["registered_on"], app


# ---- demo agencies, plans and points ----------------------------------------------------


def test_plans_and_points__agency__exists_and_times_are_ordered():
    agencies = _codes("agencies")
    for plan in _typed("plans"):
        assert plan["agency"] in agencies and plan["opens"] < plan["closes"], plan["agency"]
    for point in _typed("points"):
        assert point["agency"] in agencies and point["starts"] < point["ends"], point["code"]
        assert point["notes"].count("\n") >= 2, f"{point['code']}: notes should be several lines"
    assert {a["level"] for a in _load("agencies")} <= {"county", "city", "province"}


def test_agencies__city_and_stages__name_cities_and_teaching_stages():
    """Step 4 offers the agencies of the chosen city that register the chosen stage: every
    agency names a city of cities.yaml and at least one teaching stage, separated by spaces."""
    cities, stages = _codes("cities"), _codes("teaching_stages")
    for agency in _load("agencies"):
        assert agency["city"] in cities, agency["code"]
        listed = agency["stages"].split()
        assert listed and set(listed) <= stages and len(listed) == len(set(listed)), agency["code"]


def test_agencies__every_stage__registered_by_an_open_agency_in_two_cities():
    """Demo persons of every stage find an agency that takes applications, in more than one city."""
    cases = _gate_cases(dt.datetime.now())
    agencies = _load("agencies")
    for stage in _codes("teaching_stages"):
        cities = {a["city"] for a in agencies if cases[a["code"]].startswith("open_") and stage in a["stages"].split()}
        assert len(cities) >= 2, stage


def test_agencies__every_gate_case__reachable_by_a_primary_teacher():
    """The scenarios reach each step-4 gate with a 小学 teacher (tests/scenarios/agency_*.yaml)."""
    reached = {case for code, case in _gate_cases(dt.datetime.now()).items()
               if "primary" in next(a for a in _load("agencies") if a["code"] == code)["stages"].split()}
    assert {"no_plan", "not_yet_open", "closed", "no_points"} <= reached


def _gate_cases(now: dt.datetime) -> dict[str, str]:
    """Which step-4 gate each agency stops at (or 'open' with its points), at `now`."""
    plans = {p["agency"]: p for p in _typed("plans")}
    points = Counter(p["agency"] for p in _typed("points") if p["ends"] > now)
    cases = {}
    for code in _codes("agencies"):
        plan = plans.get(code)
        if plan is None:
            cases[code] = "no_plan"
        elif now < plan["opens"]:
            cases[code] = "not_yet_open"
        elif now > plan["closes"]:
            cases[code] = "closed"
        elif not points[code]:
            cases[code] = "no_points"
        else:
            cases[code] = f"open_{min(points[code], 2)}_points"
    return cases


def test_agencies__gate_cases__every_gate_is_covered_today():
    cases = Counter(_gate_cases(dt.datetime.now()).values())
    message = "demo plans/points have expired or moved: widen the windows in data/demo"
    assert cases["open_2_points"] >= 2, message
    for case in ("no_plan", "not_yet_open", "closed", "no_points"):
        assert cases[case] >= 1, f"{case}: {message}"


def test_points__open_agencies__offer_points_that_end_on_different_dates():
    now = dt.datetime.now()
    open_agencies = [a for a, case in _gate_cases(now).items() if case.startswith("open_")]
    ends = {p["ends"] for p in _typed("points") if p["agency"] in open_agencies and p["ends"] > now}
    assert len(ends) >= 2


def test_readme__certificate_table__names_rows_that_exist():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8").split("### Certificates worth knowing")[1]
    pairs = {(c["cert_no"], c["id_no"]) for c in _load("certificates")}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 4 and re.fullmatch(r"\d{17}[\dX]", cells[4]):
            for cert_no in cells[3].split(" and "):
                assert (cert_no, cells[4]) in pairs, line


def test_init_demo__dataset_file_missing__located_refusal_not_a_traceback(tmp_path, capsys):
    from commands.cli import main
    from shenbao.paths import DEFAULT_FLOW

    flow = DEFAULT_FLOW.parent / f"_missing_{tmp_path.name}.yaml"
    flow.write_text(DEFAULT_FLOW.read_text(encoding="utf-8").replace("../data/demo/plans.yaml",
                                                                      "../data/demo/plnas.yaml"), encoding="utf-8")
    try:
        code = main(["init", "--demo", str(flow), "--database", f"sqlite:///{tmp_path / 'x.db'}"])
    finally:
        flow.unlink()
    err = capsys.readouterr().err
    assert code == 1
    assert "REF_018 dataset 'plans': file '../data/demo/plnas.yaml' does not exist" in err
    assert "Traceback" not in err and not (tmp_path / "x.db").exists()
