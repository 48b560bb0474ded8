"""Sample applications for the 申请表 tests and bench/pdf.py: values as the engine passes them."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from collections import ChainMap
from functools import lru_cache

from engine import Flow, load_flow
from engine.document import DocumentView, resolve_document
from shenbao.flows import load_schemas, read_flow

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "teacher_registration.yaml"
MESSAGES = ROOT / "locales" / "zh_CN" / "messages.yaml"
REFERENCE = ROOT / "data" / "reference"
GOLDEN = Path(__file__).resolve().parent / "golden"

# field id → (reference dataset, code list) for the choice fields the form shows
OPTION_SOURCES = {
    "ethnic_group": ("ethnic_groups", None), "cert_type": ("cert_types", None),
    "cert_subject": ("subjects", None), "teaching_subject": ("subjects", None),
    "teaching_stage": ("teaching_stages", None), "highest_degree": ("code_lists", "degree"),
    "highest_education": ("code_lists", "education"), "study_mode": ("code_lists", "study_mode"),
    "major_category": ("code_lists", "major_category"), "political_status": ("code_lists", "political_status"),
    "school_nature": ("code_lists", "school_nature"), "post_nature": ("code_lists", "post_nature"),
    "putonghua_level": ("code_lists", "putonghua_level"),
    "professional_title": ("code_lists", "professional_title"), "city": ("../demo/cities", None),
}
STATIC_OPTIONS = {"gender": {"male": "option.male", "female": "option.female"}}

AGENCY = {"code": "bj_haidian", "name": "北京市海淀区教育委员会", "level": "county", "province": "北京市",
          "city": "110100", "stages": "kindergarten primary junior senior vocational", "phone": "010-08260001"}
POINT = {"code": "bj_haidian_jinxiu", "agency": "bj_haidian", "name": "海淀区教师进修学校确认点",
         "starts": datetime(2026, 9, 1, 8, 0), "ends": datetime(2030, 12, 31, 17, 0),
         "scope": "海淀区公办中小学在编教师", "address": "北京市海淀区学院南路甲18号 教师进修学校一层东厅",
         "phone": "010-08260101"}


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def documents() -> dict[str, Any]:
    """The documents section as written in the flow file."""
    return load_yaml(FLOW)["documents"]


@lru_cache(maxsize=1)
def flow() -> Flow:
    return read_flow(FLOW)


def flow_from_text(text: str, extra_messages: Mapping[str, str] | None = None) -> Flow:
    """A flow written like flows/teacher_registration.yaml (its datasets beside it), e.g. an edited copy."""
    keys = set(catalogue()) | set(extra_messages or {})
    return load_flow(text, "flows/teacher_registration.yaml", load_schemas(), keys,
                     file_exists=lambda name: (FLOW.parent / name).is_file())


def catalogue(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**{str(k): str(v).rstrip("\n") for k, v in load_yaml(MESSAGES).items()}, **(extra or {})}


def label_function(extra: Mapping[str, str] | None = None) -> Callable[[str], str]:
    messages = catalogue(extra)
    return lambda key: messages[key]  # a missing key fails the test loudly


def option_label_function(extra: Mapping[str, str] | None = None) -> Callable[[str, Any], str | None]:
    """Option labels from the reference lists; a field not listed there takes its options'
    `option.<field>.<code>` messages from `extra` (the options of an edited flow)."""
    messages = catalogue(extra)
    tables: dict[tuple[str, Any], dict[str, str]] = {}
    for field_id, (dataset, code_list) in OPTION_SOURCES.items():
        rows = load_yaml(REFERENCE / f"{dataset}.yaml")
        tables[field_id] = {str(r["code"]): r["name"] for r in rows if code_list is None or r["list"] == code_list}
    for field_id, options in STATIC_OPTIONS.items():
        tables[field_id] = {code: messages[key] for code, key in options.items()}

    def option_label(field_id: str, code: Any) -> str | None:
        if field_id not in tables:
            return messages.get(f"option.{field_id}.{code}") if extra else None
        return tables[field_id][str(code)]
    return option_label


def choice_text_function(extra: Mapping[str, str] | None = None) -> Callable[[str, Any], str | None]:
    """resolve_document's `choice_text` over option_label_function: each code's label, in the
    answer's order (the samples answer one option per field); None where a code has none."""
    label = option_label_function(extra)

    def choice_text(field_id: str, answer: Any) -> str | None:
        texts = [label(field_id, code) for code in (answer if isinstance(answer, (list, tuple)) else [answer])]
        return None if None in texts else "、".join(texts)  # type: ignore[arg-type]
    return choice_text


def jpeg_photo(width: int = 120, height: int = 160) -> bytes:
    """A small ID-photo-like JPEG: blue background, a lighter head and shoulders."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (67, 142, 219))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.18, width * 0.7, height * 0.58), fill=(236, 204, 178))
    draw.rectangle((width * 0.15, height * 0.62, width * 0.85, height), fill=(40, 40, 48))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _common(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "accept_terms": "accept", "password": "secret#123", "password_confirm": "secret#123",
        "teaching_stage": "primary", "teaching_subject": "primary_chinese", "city": AGENCY["city"],
        "agency": AGENCY["code"], "point": POINT["code"],
        "chosen_agency": AGENCY, "chosen_point": POINT,
        "email": "wang.xiaoyan@example.com",
        "highest_degree": "bachelor", "highest_education": "undergraduate", "study_mode": "full_time",
        "major_category": "teacher_education", "graduated_school": "首都师范大学", "major": "汉语言文学（师范）",
        "graduation_date": date(2007, 7, 1), "political_status": "cpc_member",
        "school_location": "北京市海淀区", "school_nature": "public", "school_name": "北京市海淀区翠微小学",
        "work_start": date(2007, 9, 1), "employment_start": date(2012, 9, 1), "post_nature": "full_time_teacher",
        "putonghua_level": "level_2a", "professional_title": "senior",
        "birthplace": "河北省保定市", "household_registration": "北京市海淀区",
        "address": "北京市海淀区翠微路12号院3号楼2单元501室", "postcode": "100036",
        "telephone": "010-68123456", "mobile": "13912345678",
        "application_no": "TR2026000123", "status": "submitted", "flow_version": "2026.1",
        "generated_on": date(2026, 9, 15),
    }
    values.update(changes)
    return values


def registry_with_photo() -> dict[str, Any]:
    """A certificate found in the registry: its data and photo come from there."""
    return _common(cert_no="20071110822001207", id_no="110108198504120144", name="王晓燕", gender="female",
                   birth_date=date(1985, 4, 12), ethnic_group="01", cert_type="2", cert_subject="primary_chinese",
                   cert_issuer="北京市海淀区教育委员会", cert_issue_date=date(2007, 7, 10), photo=jpeg_photo())


def typed_without_photo() -> dict[str, Any]:
    """A certificate not in the registry, typed in by the applicant: no photo."""
    return _common(cert_no="981110522175425", id_no="11010519491231002X", name="林秀英", gender="female",
                   birth_date=date(1949, 12, 31), ethnic_group="05", cert_type="3", cert_subject="junior_math",
                   cert_issuer="北京市朝阳区教育委员会", cert_issue_date=date(1998, 12, 20), photo=None,
                   application_no="TR2026000456", teaching_stage="junior", teaching_subject="junior_math")


def rare_name() -> dict[str, Any]:
    """Rare characters outside GB 2312 in the name, the school and the address (堃喆珺镕䶮)."""
    return _common(cert_no="20154410641024964", id_no="440106199211051112", name="王䶮喆", gender="male",
                   birth_date=date(1992, 11, 5), ethnic_group="01", cert_type="4", cert_subject="senior_history",
                   cert_issuer="广州市天河区教育局", cert_issue_date=date(2015, 7, 1), photo=jpeg_photo(90, 126),
                   school_name="广州市珺堃实验学校", address="广州市天河区镕树路8号喆园", application_no="TR2026000789",
                   teaching_stage="senior", teaching_subject="senior_history")


SAMPLES: dict[str, Callable[[], dict[str, Any]]] = {
    "registry_with_photo": registry_with_photo, "typed_without_photo": typed_without_photo, "rare_name": rare_name,
}


def view(values: dict[str, Any], document_id: str = "application_form", of: Flow | None = None,
         extra_messages: Mapping[str, str] | None = None) -> DocumentView:
    """The compiled document over these values (a field left out is unanswered); `of`: another
    flow than the shipped one, whose own messages are `extra_messages`."""
    chosen = of or flow()
    names = ChainMap(values, {name: None for name in chosen.field_names})
    return resolve_document(chosen.documents[document_id], names, label_function(extra_messages),
                            choice_text_function(extra_messages))


SAMPLE_NAMES = list(SAMPLES)


def declared_values(view: DocumentView) -> dict[str, str]:
    """Every value the document declares (by reference), as the view resolved it."""
    values = {cell.ref: cell.text for section in view.sections for row in section.rows for cell in row}
    values.update({cell.ref: cell.text for cell in view.footer})
    if view.code:
        values["code"] = view.code.value
    return values


def pdftotext(pdf: bytes, *options: str) -> str:
    """Text of a PDF as poppler's pdftotext extracts it (e.g. with "-layout" or "-raw")."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext not found: install the Debian package poppler-utils")
    run = subprocess.run(["pdftotext", *options, "-enc", "UTF-8", "-", "-"], input=pdf,
                         capture_output=True, check=True)
    return run.stdout.decode("utf-8")
