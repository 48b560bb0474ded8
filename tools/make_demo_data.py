"""Generate the demo certificates, the demo application and the demo ID photos.

Writes data/demo/certificates.yaml, data/demo/applications.yaml and data/demo/photos/*.jpg
from the table below, computing what is easy to get wrong by hand: the GB 11643 check
character of every resident ID, the 17-digit and 15-digit certificate numbers and the photos.
The output is deterministic, so running it twice changes nothing. agencies.yaml, plans.yaml
and points.yaml are written by hand (they are mostly prose) and are not touched here.

Every person below is invented. The names and strings are demo data, not user-facing text.

    .venv/bin/python tools/make_demo_data.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PHOTOS = DEMO / "photos"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11

# Issuing authorities (认定机构): name, GB/T 2260 province code, 3-digit agency code used
# inside the certificate number.
ISSUERS = {
    "bj_haidian": ("北京市海淀区教育委员会", "11", "108"),
    "bj_chaoyang": ("北京市朝阳区教育委员会", "11", "105"),
    "bj_xicheng": ("北京市西城区教育委员会", "11", "102"),
    "sh_pudong": ("上海市浦东新区教育局", "31", "115"),
    "nj_city": ("南京市教育局", "32", "100"),
    "nj_gulou": ("南京市鼓楼区教育局", "32", "106"),
    "hz_xihu": ("杭州市西湖区教育局", "33", "106"),
    "gz_tianhe": ("广州市天河区教育局", "44", "106"),
    "cd_wuhou": ("成都市武侯区教育局", "51", "107"),
    "wh_hongshan": ("武汉市洪山区教育局", "42", "111"),
    "cs_yuelu": ("长沙市岳麓区教育局", "43", "104"),
    "urumqi": ("乌鲁木齐市教育局", "65", "100"),
    "lhasa": ("拉萨市教育局", "54", "100"),
    "hohhot": ("呼和浩特市教育局", "15", "100"),
    "yanbian": ("延边朝鲜族自治州教育局", "22", "240"),
    "changchun": ("长春市教育局", "22", "100"),
    "dali": ("大理白族自治州教育局", "53", "290"),
    "qiandongnan": ("黔东南苗族侗族自治州教育局", "52", "260"),
    "nanning": ("南宁市教育局", "45", "100"),
    "yinchuan": ("银川市教育局", "64", "100"),
    "xian_yanta": ("西安市雁塔区教育局", "61", "113"),
    "jinan": ("济南市教育局", "37", "100"),
    "shijiazhuang": ("石家庄市教育局", "13", "100"),
}

# One row per certificate. Columns:
#   name, gender, ethnic, region (GB/T 2260 county of the ID), birth, cert_type, subject,
#   issuer, issue_date, number ("17", "15" or a literal nonstandard number), photo, extra.
# `extra` may set: id_no (a fixed public test vector), check ("X": pick a sequence whose
# check character is X), state, registered_on, next_registration_from, banned_until, and
# same_person_as (row index whose ID number this row reuses).
PEOPLE = [
    ("王晓燕", "female", "01", "110108", "1985-04-12", "2", "primary_chinese", "bj_haidian", "2007-07-10", "17", True, {}),
    ("张堃", "male", "01", "110105", "1988-09-23", "4", "senior_physics", "bj_chaoyang", "2011-06-30", "17", True, {}),
    ("李喆", "male", "01", "320106", "1990-02-14", "3", "junior_math", "nj_gulou", "2013-08-20", "17", False, {}),
    ("刘䶮", "male", "01", "440106", "1992-11-05", "4", "senior_history", "gz_tianhe", "2015-07-01", "17", True, {}),
    ("陈珺", "female", "01", "330106", "1991-06-18", "2", "primary_english", "hz_xihu", "2014-09-01", "17", False, {}),
    ("周镕", "male", "01", "430104", "1987-03-29", "5", "vocational_machinery", "cs_yuelu", "2010-12-15", "17", True, {}),
    ("阿依古丽·买买提", "female", "05", "650102", "1989-05-20", "2", "primary_math", "urumqi", "2012-10-08", "17", True, {}),
    ("努尔兰·托合提", "male", "17", "650102", "1986-12-02", "3", "junior_pe", "urumqi", "2009-06-25", "17", False, {}),
    ("买买提江·阿不都热合曼", "male", "05", "650102", "1985-07-07", "4", "senior_math", "urumqi", "2008-09-01", "17", True, {}),
    ("扎西次仁", "male", "04", "540102", "1984-08-08", "2", "primary_music", "lhasa", "2006-07-15", "17", True, {}),
    ("其木格", "female", "02", "150102", "1993-01-17", "1", "kindergarten_education", "hohhot", "2016-06-30", "17", False, {}),
    ("金美玉", "female", "10", "222401", "1982-10-03", "3", "junior_english", "yanbian", "2005-05-20", "17", True, {}),
    ("段丽华", "female", "14", "532901", "1990-07-07", "2", "primary_art", "dali", "2013-07-01", "17", False, {}),
    ("韦海燕", "female", "08", "450103", "1987-11-11", "2", "primary_science", "nanning", "2010-07-10", "17", True, {}),
    ("马建国", "male", "03", "640104", "1979-05-04", "4", "senior_chemistry", "yinchuan", "2002-07-01", "17", False, {}),
    ("龙阿妹", "female", "06", "522601", "1990-09-19", "2", "primary_chinese", "qiandongnan", "2013-07-01", "17", True, {}),
    # Step 3 gate cases.
    ("赵志强", "male", "01", "110102", "1980-06-06", "3", "junior_chinese", "bj_xicheng", "2003-07-01", "17", False,
     {"state": "revoked"}),
    ("孙丽", "female", "01", "310115", "1986-02-28", "2", "primary_pe", "sh_pudong", "2009-07-01", "17", True,
     {"state": "restricted"}),
    ("吴海涛", "male", "01", "320106", "1983-09-09", "4", "senior_math", "nj_city", "2006-06-30", "17", True,
     {"registered_on": "2026-03-01", "next_registration_from": "2030-12-01"}),
    ("郑雪梅", "female", "01", "420111", "1985-12-24", "2", "primary_chinese", "wh_hongshan", "2008-07-15", "17", False,
     {"banned_until": "2030-06-30"}),
    ("冯晓东", "male", "01", "110108", "1989-10-10", "3", "junior_physics", "bj_haidian", "2012-07-01", "17", True,
     {"application": True}),
    ("潘志远", "male", "01", "330106", "1991-10-25", "3", "junior_science", "hz_xihu", "2014-06-30", "17", False,
     {"registered_on": "2021-04-15", "next_registration_from": "2025-12-01"}),
    # The three public test vectors of GB 11643 (domain.md); odd birth years kept on purpose.
    ("林秀英", "female", "01", "110105", "1949-12-31", "2", "primary_chinese", "bj_chaoyang", "1998-12-20", "15", False,
     {"id_no": "11010519491231002X"}),
    ("何俊峰", "male", "01", "340524", "1980-01-01", "3", "junior_geography", "nj_gulou", "2003-07-15", "17", True,
     {"id_no": "34052419800101001X"}),
    ("黄伯庸", "male", "01", "440524", "1880-01-01", "4", "senior_chinese", "gz_tianhe", "1996-09-01", "15", False,
     {"id_no": "440524188001010014"}),
    # One person holding two certificates (only one may be registered per cycle).
    ("许文博", "male", "01", "330106", "1984-04-04", "3", "junior_math", "hz_xihu", "2006-07-01", "17", True, {}),
    ("许文博", "male", "01", "330106", "1984-04-04", "4", "senior_math", "hz_xihu", "2010-07-01", "17", False,
     {"same_person_as": 25}),
    # Older 15-digit certificates, one printed without a subject.
    ("高淑珍", "female", "01", "130102", "1975-03-08", "2", "none", "shijiazhuang", "1997-09-01", "15", False, {}),
    ("罗建华", "male", "01", "510107", "1972-08-15", "4", "senior_english", "cd_wuhou", "1999-06-10", "15", True, {}),
    ("宋玉兰", "female", "01", "420111", "1976-01-20", "3", "junior_history", "wh_hongshan", "1998-07-01", "15", False, {}),
    # Hand-issued numbers of nonstandard length (step 3 asks to confirm, then continues).
    ("唐国庆", "male", "01", "370102", "1974-10-01", "4", "senior_biology", "jinan", "2000-05-15", "200037010088", False, {}),
    ("钱慧敏", "female", "01", "310115", "1981-07-30", "1", "kindergarten_education", "sh_pudong", "2004-06-30",
     "2004311150200137", True, {}),
    # The remaining types and stages.
    ("曹立新", "male", "01", "320106", "1978-11-30", "6", "vocational_practice", "nj_city", "2004-09-15", "17", True, {}),
    ("邓晓红", "female", "01", "440106", "1988-04-22", "5", "vocational_nursing", "gz_tianhe", "2011-07-01", "17", False, {}),
    ("杜雨桐", "female", "01", "370102", "1992-05-09", "5", "vocational_accounting", "jinan", "2015-07-01", "17", False, {}),
    ("彭佳怡", "female", "01", "110108", "1996-09-09", "1", "kindergarten_education", "bj_haidian", "2019-06-28", "17", True, {}),
    ("曾梓涵", "female", "01", "430104", "1998-12-12", "2", "primary_it", "cs_yuelu", "2021-07-10", "17", False, {}),
    ("蒋一鸣", "male", "01", "320106", "1995-05-05", "3", "junior_ethics_law", "nj_gulou", "2018-06-30", "17", True, {}),
    ("谢婉婷", "female", "01", "510107", "1993-08-18", "4", "senior_mental_health", "cd_wuhou", "2016-07-20", "17", False, {}),
    ("韩磊", "male", "01", "220104", "1986-06-16", "4", "senior_general_tech", "changchun", "2009-12-01", "17", True, {}),
    ("欧阳明轩", "male", "01", "450103", "1994-02-02", "2", "primary_pe", "nanning", "2017-06-30", "17", False, {}),
    ("司马静怡", "female", "01", "610113", "1997-03-03", "2", "primary_mental_health", "xian_yanta", "2020-07-01", "17", True, {}),
    ("蔡文静", "female", "01", "310115", "1990-03-15", "3", "junior_chinese", "sh_pudong", "2013-07-01", "17", False,
     {"check": "X"}),
]


def check_char(first17: str) -> str:
    """The GB 11643 / ISO 7064 MOD 11-2 check character of 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def make_id(index: int, region: str, birth: str, gender: str, want_x: bool) -> str:
    """An 18-character ID whose sequence parity matches the gender; deterministic per row."""
    parity = 1 if gender == "male" else 0
    for step in range(500):
        seq = (index * 37 + step * 13) % 1000
        if seq % 2 != parity:
            seq = (seq + 1) % 1000
        if seq == 0:
            continue
        first17 = region + birth.replace("-", "") + f"{seq:03d}"
        check = check_char(first17)
        if not want_x or check == "X":
            return first17 + check
    raise ValueError(f"no sequence gives check X for row {index}")


def make_cert_no(index: int, number: str, issuer: str, cert_type: str, gender: str, issued: str) -> str:
    """17-digit: year·province·agency·type·gender·serial; 15-digit: the same with a 2-digit year."""
    _, province, agency = ISSUERS[issuer]
    gender_digit = "1" if gender == "male" else "2"
    serial = f"{(index * 7919 + 1207) % 1000000:06d}"
    year = issued[:4]
    if number == "17":
        return year + province + agency + cert_type + gender_digit + serial
    if number == "15":
        return year[2:] + province + agency + cert_type + gender_digit + serial
    return number


def build_rows() -> tuple[list[dict], list[dict]]:
    certificates, applications, ids = [], [], {}
    for index, row in enumerate(PEOPLE):
        name, gender, ethnic, region, birth, cert_type, subject, issuer, issued, number, photo, extra = row
        if "same_person_as" in extra:
            assert PEOPLE[extra["same_person_as"]][0] == name, f"row {index}: same_person_as names another person"
            id_no = ids[extra["same_person_as"]]
        else:
            id_no = extra.get("id_no") or make_id(index, region, birth, gender, extra.get("check") == "X")
        ids[index] = id_no
        cert = {
            "cert_no": make_cert_no(index, number, issuer, cert_type, gender, issued),
            "id_no": id_no,
            "name": name,
            "gender": gender,
            "birth_date": birth,
            "ethnic_group": ethnic,
            "cert_type": cert_type,
            "subject": subject,
            "issuer": ISSUERS[issuer][0],
            "issue_date": issued,
            "photo": f"p{index + 1:04d}.jpg" if photo else None,
            "state": extra.get("state", "valid"),
            "registered_on": extra.get("registered_on"),
            "next_registration_from": extra.get("next_registration_from"),
            "banned_until": extra.get("banned_until"),
        }
        certificates.append(cert)
        if extra.get("application"):
            applications.append({"cert_no": cert["cert_no"], "id_no": id_no})
    return certificates, applications


def draw_photo(index: int) -> Image.Image:
    """A 114x156 ID-photo stand-in: light-blue ground, grey head-and-shoulders silhouette."""
    width, height = 114, 156
    blue = (188 + index * 7 % 30, 214 + index * 5 % 24, 240 + index * 3 % 15)
    grey = 96 + index * 11 % 70
    image = Image.new("RGB", (width, height), blue)
    draw = ImageDraw.Draw(image)
    head_w, head_h = 21 + index % 4, 27 + index % 5
    cx, cy = width // 2, 64 + index % 6
    draw.rounded_rectangle((cx - 9, cy + head_h - 6, cx + 9, cy + head_h + 14), 4, fill=(grey,) * 3)
    draw.ellipse((cx - 52, cy + head_h + 6, cx + 52, height + 60), fill=(grey,) * 3)
    draw.ellipse((cx - head_w, cy - head_h, cx + head_w, cy + head_h), fill=(grey - 12,) * 3)
    return image


def write_list(path: Path, rows: list[dict], header: str) -> None:
    lines = [header.rstrip(), ""]
    for row in rows:
        body = yaml.safe_dump(row, allow_unicode=True, sort_keys=False, default_flow_style=True, width=10**6)
        lines.append("- " + body.strip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    certificates, applications = build_rows()
    PHOTOS.mkdir(parents=True, exist_ok=True)
    for index, cert in enumerate(certificates):
        if cert["photo"]:
            draw_photo(index).save(PHOTOS / cert["photo"], "JPEG", quality=82, optimize=True)
    generated = "# Generated by tools/make_demo_data.py; edit that script and run it again.\n"
    write_list(DEMO / "certificates.yaml", certificates,
               generated + "# Invented people; see data/README.md for the rows that exercise each case.")
    write_list(DEMO / "applications.yaml", applications,
               generated + "# A certificate that already has an application (step 3 gate no_existing_application).")
    print(f"{len(certificates)} certificates, {len(applications)} applications, "
          f"{sum(1 for c in certificates if c['photo'])} photos", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
