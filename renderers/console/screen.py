"""What the console shows: a step, its fields, and the engine's answer to a submission, as lines.

Shared by the interactive console and the headless transcript, so both read the same.
Takes engine values (StepView, FieldView, SubmitResult…) and returns lists of strings;
never reads input, never prints, never calls the engine.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from engine import FieldView, GateFailure, Option, Problem, StepView
from .text import Texts, fmt, grid, table, width as cells_of, wrap

INDENT = "  "
PROBLEM_MARK = "✗ "
WARNING_MARK = "! "


def header(view: StepView, texts: Texts) -> list[str]:
    title = texts("console.step.header", title=texts(view.title), number=view.number, count=view.count)
    return ["", title, "═" * min(cells_of(title), 60)]


def body(view: StepView, texts: Texts, cells: int) -> list[str]:
    if not view.body:
        return []
    return [INDENT + line for line in wrap(texts(view.body).strip(), cells - len(INDENT))]


def field_line(fld: FieldView, texts: Texts) -> str:
    """`label：value` for a field that is shown but not asked (read-only, display, photo)."""
    return INDENT + texts("console.field.shown", label=texts(fld.label), value=texts.value(fld))


def field_label(fld: FieldView, texts: Texts) -> str:
    key = "console.field.required" if fld.required else "console.field.optional"
    return texts(key, label=texts(fld.label))


def option_lines(fld: FieldView, texts: Texts, cells: int, numbers: Sequence[int] | None = None) -> list[str]:
    """Numbered options: a table for table_choice, a grid of `n. label` otherwise."""
    picked = [(i, o) for i, o in enumerate(fld.options, 1) if numbers is None or i in numbers]
    if fld.type == "table_choice":
        heads = [texts("console.table.number")] + [texts(f"column.{c}") for c in fld.columns]
        rows = [[str(i)] + [fmt(o.row.get(c)) for c in fld.columns] for i, o in picked]
        return [INDENT + line for line in table(heads, rows, cells - len(INDENT))]
    digits = len(str(len(fld.options)))
    return grid([f"{i:>{digits}}. {texts.option(o)}" for i, o in picked], cells, indent=len(INDENT) * 2)


def step_lines(view: StepView, texts: Texts, cells: int, problems: Iterable[Problem] = (),
               shown_options: Mapping[str, Sequence[Option]] | None = None) -> list[str]:
    """The whole step as a read-only page: title, body, every field with its value."""
    by_field = _by_field(problems)
    lines = header(view, texts) + body(view, texts, cells)
    for section in view.sections:
        if section.title:
            lines += ["", texts("console.section", title=texts(section.title))]
        if section.help:
            lines += [INDENT + line for line in wrap(texts(section.help), cells - len(INDENT))]
        for fld in section.fields:
            if fld.type == "table_choice":
                lines.append(INDENT + field_label(fld, texts))
                lines += option_lines(fld, texts, cells)
                if fld.value is not None:
                    lines.append(field_line(fld, texts))
            elif fld.secret:
                lines.append(INDENT + field_label(fld, texts))
            else:
                lines.append(field_line(fld, texts))
            lines += problem_lines(by_field.get(fld.id, []), texts)
    if view.show:
        lines += summary_lines(view, texts, shown_options or {})
    return lines


def summary_lines(view: StepView, texts: Texts, options: Mapping[str, Sequence[Option]]) -> list[str]:
    """A summary step's `show` fields; choices by their option labels (`options` by field id)."""
    return [""] + [INDENT + texts("console.field.shown", label=texts(label),
                                  value=texts.plain(value, options.get(fid, ())))
                   for fid, label, value in view.show]


def problem_lines(problems: Sequence[Problem], texts: Texts) -> list[str]:
    return [INDENT * 2 + PROBLEM_MARK + texts.problem(p) for p in problems]


def outcome_lines(texts: Texts, problems: Sequence[Problem] = (), warnings: Sequence[Problem] = (),
                  gates: Sequence[GateFailure] = ()) -> list[str]:
    """Why a submission did not go through, each problem next to its field's label."""
    lines = [texts("console.problems.title")] if problems else []
    for problem in problems:
        lines.append(INDENT + PROBLEM_MARK + (texts("console.problem.named", label=texts.label(problem.field),
                                                    message=texts.problem(problem))
                                              if problem.field else texts.problem(problem)))
    for warning in warnings:
        lines += [WARNING_MARK + texts.warning(warning),
                  INDENT + texts("console.warning.choices", fix=texts("warning.confirm_fix"),
                                 go_on=texts("warning.confirm_continue"))]
    for gate in gates:
        lines.append(PROBLEM_MARK + texts.gate(gate))
    return lines


def _by_field(problems: Iterable[Problem]) -> dict[str | None, list[Problem]]:
    grouped: dict[str | None, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem)
    return grouped
