"""Dependent choices: a select whose options filter reads other choices shown beside it.

The wizard's step pages and the 修改申报信息 page send site.js, for each such select, the options
allowed for every combination of the choices it depends on, so the list narrows as soon as one
changes; without scripts the page is sent again (更新可选项, or a refused save) and the server
draws the narrowed list. The server checks every pair anyway (the engine's `not_an_option`).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from engine import Context

DEPENDENT_LIMIT = 2000   # combinations of the controlling choices sent to the page; beyond, the round trip only


def dependent_choices(web: Any, flow: Any, views: Iterable[Any], answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Selects whose options filter reads other choices of the same step (现任教学科 by
    现任教学段; 注册机构 by 现任教学段 and 城市): for each combination of those choices' values,
    the options then allowed, nested in the order of `on` (`by[stage][city]`), so that site.js
    can narrow the list as soon as a choice changes. The server checks the pair anyway."""
    found: dict[str, dict[str, Any]] = {}
    for view in views:   # a wizard step (StepView) or a step of the edit page (AmendView)
        step_id = view.id if hasattr(view, "id") else view.step
        fields = [f for section in view.sections for f in section.fields]
        found.update(_of_step(web, flow, step_id, fields, answers))
    return found


def _of_step(web: Any, flow: Any, step_id: str, fields: list[Any],
             answers: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    step = next((s for s in flow.steps if s.id == step_id), None)
    if step is None:
        return {}
    shown = {f.id: f for f in fields if not f.readonly}
    order = [f.id for f in fields]
    found: dict[str, dict[str, Any]] = {}
    for fld in step.fields:
        spec = fld.options
        if fld.id not in shown or fld.type != "select" or spec is None or spec.filter is None:
            continue
        controls = sorted((n for n in spec.filter.names
                           if n in shown and n != fld.id and shown[n].type in ("select", "radio")), key=order.index)
        combinations = 1
        for control in controls:
            combinations *= max(1, len(shown[control].options))
        if not controls or combinations > DEPENDENT_LIMIT:
            continue
        labels: dict[str, str] = {}
        memo: dict[tuple[Any, ...], Any] = {}   # the rows are asked for once, not once per combination

        def narrowed(chosen: dict[str, Any], rest: list[str]) -> Any:
            if not rest:
                ctx = Context(flow, web.source, web.local_now(), {**answers, **chosen}, memo)
                allowed = ctx.options(fld)
                labels.update({str(o.value): web.t(o.label) if o.label_is_key else o.label for o in allowed})
                return [str(o.value) for o in allowed]
            return {str(option.value): narrowed({**chosen, rest[0]: option.value}, rest[1:])
                    for option in shown[rest[0]].options}

        found[fld.id] = {"on": controls, "by": narrowed({}, controls), "labels": labels}
    return found
