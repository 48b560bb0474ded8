"""Field models → HTML: the widgets of every form that shows flow fields (the wizard's steps, the
amendment page, the staff desk's review fields), drawn in Python.

`widgets.WIDGETS` says which widget draws a field type (`FieldModel.widget`); `DRAWERS` has one
function per widget. They were Jinja macros: a step draws some thirty fields, and the macro
calls, one attribute look-up through the environment per `f.x` and an escape per text made
the fields most of a step page's CPU (issue 10, bench/profile_pages.py). Here a widget is one
f-string per line of its markup. What a field's markup takes from its fixed parts (id, label,
hint, the attributes) is escaped once into a `Frame`; `forms.Texts` keeps one per field of a
flow version, and option texts (the flow's and its datasets', the same on every page) are kept
escaped too, so a page escapes little more than what was typed and the errors. The page's
own texts (the required mark's title, 请选择, the photo's) are `Words`, read with the page's
`t` once per call. The markup is the macros' to the byte (tests/web/test_web_widgets.py).
Text only: no engine, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from markupsafe import Markup, escape

_INVALID = ' aria-invalid="true"'
_CHOSEN = ' class="chosen"'


@lru_cache(maxsize=8192)
def _option_text(text: str) -> str:
    """An option's value, label or table cell, escaped: texts of the flow and its datasets, the same
    on every page (so kept; typed values are escaped where they are drawn)."""
    return str(escape(text))


@dataclass(frozen=True)
class Words:
    """The page texts every field may repeat, as HTML."""

    mark: str       # the required mark
    choose: str     # 请选择: a select's empty option, a table choice's first column
    photo_alt: str
    no_photo: str

    @classmethod
    def of(cls, t: Callable[..., str]) -> Words:
        return cls(f'<abbr class="req" title="{escape(t("web.required"))}">*</abbr>', str(escape(t("web.choose"))),
                   str(escape(t("web.photo.alt"))), str(escape(t("field.photo.none"))))


class Frame:
    """What a field's markup takes from the model's fixed parts (id, label, help, columns, required,
    readonly, input type, autocomplete, accept, checks), escaped once."""

    __slots__ = ("id", "label", "marked", "hint", "described", "described_error", "required", "input_type",
                 "autocomplete", "accept", "checks", "columns", "column_labels")

    def __init__(self, id: str, label: str, help: str | None, required: bool, readonly: bool, input_type: str,
                 autocomplete: str, accept: str, checks: tuple[tuple[str, str], ...], columns: tuple[str, ...]):
        self.id = fid = str(escape(id))
        self.label = str(escape(label))
        self.marked = required and not readonly  # the required mark after the label
        self.hint = f'<span class="hint" id="{fid}-hint">{escape(help)}</span>' if help else ""
        hint = [f"{fid}-hint"] if help else []
        self.described = " ".join(hint)                          # aria-describedby's ids without an error
        self.described_error = " ".join(hint + [f"{fid}-error"])  # and with one
        self.required = ' aria-required="true"' if required else ""
        self.input_type = str(escape(input_type))
        self.autocomplete = f' autocomplete="{escape(autocomplete)}"' if autocomplete else ""
        self.accept = f' accept="{escape(accept)}"' if accept else ""
        self.checks = "".join(f' data-{escape(name)}="{escape(value)}"' for name, value in checks)
        self.columns = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
        self.column_labels = tuple(str(escape(c)) for c in columns)


def frame_of(f: Any) -> Frame:
    """The model's frame: the one it was made with (forms.Texts keeps them), else one made now."""
    return f.frame or Frame(f.id, f.label, f.help, f.required, f.readonly, f.input_type, f.autocomplete, f.accept,
                            f.checks, f.columns)


def _described(fr: Frame, error: Any) -> str:
    ids = fr.described_error if error else fr.described
    return f' aria-describedby="{ids}"' if ids else ""


def _error(fr: Frame, error: Any) -> str:
    return f'<span class="field-error" id="{fr.id}-error">{escape(error)}</span>' if error else ""


def _head(f: Any, fr: Frame, w: Words) -> str:
    """A plain field's opening: its label (with the required mark), hint and error."""
    error = f.error
    return (f'<div class="field{" error" if error else ""}">\n'
            f'  <label for="{fr.id}">{fr.label}{w.mark if fr.marked else ""}</label>\n'
            f'  {fr.hint}{_error(fr, error)}\n')


def _fieldset(f: Any, fr: Frame, w: Words) -> str:
    """A choice's opening: the fieldset, its legend (with the required mark), hint and error."""
    error = f.error
    return (f'<div class="field{" error" if error else ""}">\n'
            f'  <fieldset{_described(fr, error)}>\n'
            f'    <legend class="label">{fr.label}{w.mark if fr.marked else ""}</legend>\n'
            f'    {fr.hint}{_error(fr, error)}\n')


def input_(f: Any, fr: Frame, w: Words) -> str:
    error = f.error
    return (f'{_head(f, fr, w)}'
            f'  <input type="{fr.input_type}" id="{fr.id}" name="{fr.id}" value="{escape(f.value)}"'
            f'{_described(fr, error)}{_INVALID if error else ""}{fr.required}{fr.autocomplete}>\n'
            '</div>\n')


def textarea(f: Any, fr: Frame, w: Words) -> str:
    error = f.error
    return (f'{_head(f, fr, w)}'
            f'  <textarea id="{fr.id}" name="{fr.id}"{_described(fr, error)}{_INVALID if error else ""}>'
            f'{escape(f.value)}</textarea>\n'
            '</div>\n')


def select(f: Any, fr: Frame, w: Words) -> str:
    error = f.error
    options = "".join(f'<option value="{_option_text(o.value)}"{" selected" if o.selected else ""}>'
                      f'{_option_text(o.label)}</option>' for o in f.options)
    return (f'{_head(f, fr, w)}'
            f'  <select id="{fr.id}" name="{fr.id}"{_described(fr, error)}{_INVALID if error else ""}{fr.required}>\n'
            f'    <option value="">{w.choose}</option>\n'
            f'{options}  </select>\n'
            '</div>\n')


def choices(f: Any, fr: Frame, w: Words) -> str:
    fid, invalid = fr.id, _INVALID if f.error else ""
    options = "".join(f'      <label for="{fid}-{i}"><input type="{fr.input_type}" id="{fid}-{i}" name="{fid}" '
                      f'value="{_option_text(o.value)}"{" checked" if o.selected else ""}{invalid}> '
                      f'{_option_text(o.label)}</label>\n'
                      for i, o in enumerate(f.options))
    return (f'{_fieldset(f, fr, w)}'
            '    <div class="choices">\n'
            f'{options}'
            '    </div>\n'
            '  </fieldset>\n'
            '</div>\n')


def table_choice(f: Any, fr: Frame, w: Words) -> str:
    fid = fr.id
    rows = []
    for i, o in enumerate(f.options):
        row = f"{fid}-{i}"
        cells = "".join(f'<td class="lead-cell"><label id="{row}-name" for="{row}">{_option_text(cell)}</label></td>'
                        if n == 0 else f'<td data-label="{fr.column_labels[n]}">{_option_text(cell)}</td>'
                        for n, cell in enumerate(o.cells))
        rows.append(f'          <tr{_CHOSEN if o.selected else ""}>\n'
                    f'            <td class="pick"><input type="radio" id="{row}" name="{fid}" '
                    f'value="{_option_text(o.value)}"{" checked" if o.selected else ""} '
                    f'aria-labelledby="{row}-name"></td>\n'
                    f'{cells}          </tr>\n')
    return (f'{_fieldset(f, fr, w)}'
            '    <div class="table-wrap">\n'
            '      <table class="stack">\n'
            f'        <thead><tr><th scope="col"><span class="muted">{w.choose}</span></th>{fr.columns}</tr></thead>\n'
            '        <tbody>\n'
            f'{"".join(rows)}'
            '        </tbody>\n'
            '      </table>\n'
            '    </div>\n'
            '  </fieldset>\n'
            '</div>\n')


def file(f: Any, fr: Frame, w: Words) -> str:
    fid, error, kept = fr.id, f.error, f.kept
    described = fr.described_error if error else fr.described
    if kept:
        described = f' aria-describedby="{described} {fid}-kept"'
    elif described:
        described = f' aria-describedby="{described}"'
    shown = f'<span class="kept" id="{fid}-kept">{escape(kept)}</span>' if kept else ""
    return (f'{_head(f, fr, w)}{shown}'
            f'  <input type="file" id="{fid}" name="{fid}"{fr.accept}{described}{_INVALID if error else ""}'
            f'{fr.required if not kept else ""}{fr.checks}>\n'
            '</div>\n')


def photo(f: Any, fr: Frame, w: Words) -> str:
    shown = (f'<img src="{escape(f.photo)}" alt="{w.photo_alt}" width="114" height="156">\n</div>\n' if f.photo
             else f'<span class="muted">{w.no_photo}</span></div>\n')
    return (f'<div class="field photo">\n'
            f'  <span class="label">{fr.label}</span>\n'
            f'{shown}')


def readonly(f: Any, fr: Frame, w: Words) -> str:
    return (f'<div class="field readonly" id="{fr.id}">\n'
            f'  <span class="label">{fr.label}</span>\n'
            f'  <div class="readonly-value">{escape(f.shown)}</div>\n'
            '</div>\n')


Drawer = Callable[[Any, Frame, Words], str]
DRAWERS: dict[str, Drawer] = {"input": input_, "textarea": textarea, "select": select, "choices": choices,
                              "table_choice": table_choice, "file": file, "photo": photo, "readonly": readonly}


def field_html(f: Any, t: Callable[..., str]) -> Markup:
    """One field (a `forms.FieldModel`), with the page's `t` for its texts."""
    return Markup(DRAWERS[f.widget](f, frame_of(f), Words.of(t)))


def sections_html(sections: Iterable[Any], t: Callable[..., str]) -> Markup:
    """Sections of fields (`forms.SectionModel`s): each with its title, help and fields."""
    w, out = Words.of(t), []
    for s in sections:
        out.append('<section class="section">\n')
        if s.title:
            out.append(f'<h2 class="section-title">{escape(s.title)}</h2>')
        if s.help:
            out.append(f'<p class="section-help">{escape(s.help)}</p>')
        out += [DRAWERS[f.widget](f, frame_of(f), w) for f in s.fields]
        out.append('</section>\n')
    return Markup("".join(out))
