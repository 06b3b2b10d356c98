"""Swedish labels of form classes and routes in explanations, as polars expressions.

The labels are the pharmacist's own, from ``rules/forms.toml`` and ``rules/routes.toml``
(read once by ``medrecon.normalise.forms``); numbers and amounts are worded by
``medrecon.swedish``.
"""

from __future__ import annotations

import polars as pl

from medrecon.normalise.forms import form_rules


def _label(code: pl.Expr, labels: dict[str, str]) -> pl.Expr:
    """The Swedish label of a code; an unlabelled code is never shown as is."""
    return code.replace_strict(labels, default="okänd", return_dtype=pl.String)


def form_phrase(text: pl.Expr, form_class: pl.Expr) -> pl.Expr:
    """``Depottablett (depotberedning)``: the exported form text with the class it was
    judged by (left out for ordinary tablets and capsules, where it adds nothing); the
    class's full label when the line has no form text."""
    label = _label(form_class, form_rules().class_label)
    short = label.str.replace(r"\s*\(.*\)$", "")
    text = text.str.strip_chars()
    has_text = text.is_not_null() & (text != "")
    obvious = (form_class == "plain_oral_solid") | (
        text.str.to_lowercase() == short.str.to_lowercase()
    )
    return (
        pl.when(has_text & obvious.fill_null(False))
        .then(text)
        .when(has_text)
        .then(pl.concat_str(text, pl.lit(" ("), short, pl.lit(")")))
        .otherwise(label)
    )


def route_phrase(text: pl.Expr, route: pl.Expr) -> pl.Expr:
    """The exported route text, else the Swedish label of the route."""
    text = text.str.strip_chars()
    return (
        pl.when(text.is_not_null() & (text != ""))
        .then(text)
        .otherwise(_label(route, form_rules().route_label))
    )
