"""Plain Swedish explanations, built as polars string expressions over whole columns.

``explanation`` and ``summary`` combine the pieces of a finding's two sides (``c_*`` /
``p_*`` from ``sides.with_sides``, built on ``line_pieces.with_display_columns``) into
sentences that name both sides' values, e.g.
"Furosemid: Cosmic 40 mg/dygn (1 tablett på morgonen), Pascal 80 mg/dygn (Morgon 1, Middag 1)."
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from medrecon.engine.line_pieces import with_display_columns
from medrecon.engine.wording import form_phrase, route_phrase
from medrecon.schema import DISPENSING_DOSE, DISPENSING_PACKAGE, STATUS_PAUSED
from medrecon.swedish import amount, number

__all__ = ["number", "summary", "with_display_columns", "with_explanations"]

_DISPENSING_WORD = {DISPENSING_DOSE: "dosdispenserad", DISPENSING_PACKAGE: "helförpackning"}


def _capitalised(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(expr.str.slice(0, 1).str.to_uppercase(), expr.str.slice(1))


def _dose(prefix: str) -> pl.Expr:
    """One side's dose: "40 mg/dygn (1 tablett på morgonen)" or the text alone."""
    amt = pl.col(prefix + "_amount_txt")
    desc = pl.col(prefix + "_dose_desc")
    total = pl.when(pl.col(prefix + "n") > 1).then(
        amount(
            pl.col(prefix + "total"),
            pl.col(prefix + "daily_amount_unit"),
            pl.col(prefix + "_micro"),
        )
    )
    descs = pl.col(prefix + "descs").list.join("; ")
    return (
        # A combination against its components: each line as written (a sum of different
        # substances means nothing; the amounts per substance are named separately).
        pl.when(pl.col("mechanism") == "combination")
        .then(descs)
        .when(pl.col(prefix + "n") > 1)
        .then(
            pl.concat_str(
                pl.coalesce(total, pl.lit("okänd dygnsdos")), pl.lit(" ("), descs, pl.lit(")")
            )
        )
        .when(amt.is_not_null())
        .then(pl.concat_str(amt, pl.lit(" ("), desc, pl.lit(")")))
        .otherwise(pl.concat_str(pl.lit("”"), desc, pl.lit("”")))
    )


def _quoted(prefix: str) -> pl.Expr:
    text = pl.col(prefix + "dosing_text").str.strip_chars()
    return pl.concat_str(
        pl.lit("”"),
        pl.coalesce(pl.when(text != "").then(text), pl.col(prefix + "_dose_desc")),
        pl.lit("”"),
    )


def _dispensing(prefix: str) -> pl.Expr:
    return pl.col(prefix + "dispensing").replace_strict(_DISPENSING_WORD, default="okänt")


def _regularity(prefix: str) -> pl.Expr:
    return pl.when(pl.col(prefix + "_prn")).then(pl.lit("vid behov")).otherwise(pl.lit("stående"))


def _ended_how(prefix: str) -> pl.Expr:
    """ "utsatt", or "pausad" for a Cosmic line paused rather than ended."""
    paused = pl.col(prefix + "status") == STATUS_PAUSED
    return pl.when(paused.fill_null(False)).then(pl.lit("pausad")).otherwise(pl.lit("utsatt"))


def _ended_on(prefix: str) -> pl.Expr:
    date = pl.col(prefix + "end_date").dt.to_string("%Y-%m-%d")
    return pl.when(date.is_not_null()).then(pl.concat_str(pl.lit(" "), date)).otherwise(pl.lit(""))


def summary(prefix: str) -> pl.Expr:
    """ "Alvedon 500 mg · 2 tabletter 3 gånger dagligen" for each line of a side."""
    joined = pl.col(prefix + "descs").list.join("; ")
    return pl.when(pl.col(prefix + "n") > 0).then(joined)


def explanation_templates(substance: pl.Expr) -> dict[str, pl.Expr]:
    """Per kind, the sentence as an expression over both sides' columns."""
    name = _capitalised(
        pl.coalesce(
            substance, pl.col("c_product_text"), pl.col("p_product_text"), pl.lit("okänt läkemedel")
        )
    )
    c_desc, p_desc = summary("c_"), summary("p_")
    dup_side = pl.when(pl.col("c_n") > 0).then(pl.lit("Cosmic")).otherwise(pl.lit("Pascal"))
    dup_n = pl.max_horizontal("c_n", "p_n")
    group_total = pl.when(pl.col("c_n") > 1).then("c_total").otherwise("p_total")
    combination = pl.col("mechanism") == "combination"
    parts = pl.col("_parts_txt")
    same_amount = (
        pl.when(combination)
        .then(parts)
        .when(pl.col("mechanism") == "split")
        .then(amount(group_total, pl.col("c_daily_amount_unit"), pl.col("c__micro")))
        .otherwise(pl.col("c__amount_txt"))
    )
    lines_word = pl.when(dup_n == 1).then(pl.lit("aktiv rad")).otherwise(pl.lit("aktiva rader"))
    plain_dose = _concat([name, ": Cosmic ", _dose("c_"), ", Pascal ", _dose("p_"), "."])
    combination_dose = _concat(
        [
            name,
            ": olika dygnsdos per substans – ",
            parts,
            ". Cosmic: ",
            c_desc,
            ". Pascal: ",
            p_desc,
            ".",
        ]
    )
    same_note = pl.coalesce(pl.concat_str(pl.lit(" ("), same_amount, pl.lit(")")), pl.lit(""))
    texts: dict[str, list[pl.Expr | str]] = {
        "missing_in_pascal": [name, ": aktiv i Cosmic (", c_desc, ") men saknas i Pascal."],
        "missing_in_cosmic": [name, ": aktiv i Pascal (", p_desc, ") men saknas i Cosmic."],
        "ended_in_cosmic": [
            name,
            ": ",
            _ended_how("c_"),
            " i Cosmic",
            _ended_on("c_"),
            " men fortfarande aktiv i Pascal (",
            p_desc,
            ").",
        ],
        "ended_in_pascal": [
            name,
            ": utsatt i Pascal",
            _ended_on("p_"),
            " men fortfarande aktiv i Cosmic (",
            c_desc,
            ").",
        ],
        "schedule": [
            name,
            ": samma dygnsdos men olika tidpunkter – Cosmic ",
            pl.col("c__dose_desc"),
            ", Pascal ",
            pl.col("p__dose_desc"),
            ".",
        ],
        "as_needed": [
            name,
            ": ",
            _regularity("c_"),
            " i Cosmic (",
            pl.col("c__dose_desc"),
            ") men ",
            _regularity("p_"),
            " i Pascal (",
            pl.col("p__dose_desc"),
            ").",
        ],
        "strength": [
            name,
            ": samma dygnsdos",
            same_note,
            " men olika styrka eller antal – Cosmic ",
            c_desc,
            ", Pascal ",
            p_desc,
            ".",
        ],
        "form": [
            name,
            ": olika beredningsform – Cosmic ",
            form_phrase(pl.col("c_form_text"), pl.col("c_form_class")),
            ", Pascal ",
            form_phrase(pl.col("p_form_text"), pl.col("p_form_class")),
            ".",
        ],
        "route": [
            name,
            ": olika administreringsväg – Cosmic ",
            route_phrase(pl.col("c_route_text"), pl.col("c_route")),
            ", Pascal ",
            route_phrase(pl.col("p_route_text"), pl.col("p_route")),
            ".",
        ],
        "dispensing": [
            name,
            ": ",
            _dispensing("c_"),
            " i Cosmic men ",
            _dispensing("p_"),
            " i Pascal.",
        ],
        "duplicate": [
            name,
            " finns ",
            dup_n,
            " gånger i ",
            dup_side,
            ": ",
            pl.coalesce(c_desc, p_desc),
            ".",
        ],
        "patient_missing": [
            "Patienten har ",
            dup_n,
            " ",
            lines_word,
            " i ",
            dup_side,
            " men finns inte i ",
            pl.when(pl.col("c_n") > 0).then(pl.lit("Pascal")).otherwise(pl.lit("Cosmic")),
            ".",
        ],
    }
    review_pair: list[pl.Expr | str] = [
        name,
        ": doseringen kunde inte tolkas säkert och texterna skiljer sig – Cosmic ",
        _quoted("c_"),
        ", Pascal ",
        _quoted("p_"),
        ". Kontrollera dosen.",
    ]
    review_conflict: list[pl.Expr | str] = [
        name,
        ": i Pascal stämmer tidskolumnerna (",
        pl.col("p__slots_txt").fill_null("tomma"),
        ") inte med användningstexten ",
        _quoted("p_"),
        ".",
    ]
    return {
        **{code: _concat(parts) for code, parts in texts.items()},
        "dose": pl.when(combination & parts.is_not_null())
        .then(combination_dose)
        .otherwise(plain_dose),
        "needs_review": pl.when(pl.col("c_n") == 0)
        .then(_concat(review_conflict))
        .otherwise(_concat(review_pair)),
    }


def with_explanations(findings: pl.DataFrame, substance: str = "substance") -> pl.DataFrame:
    """Add ``explanation``: each kind's sentence built on that kind's rows only.

    Polars evaluates every branch of a when/then chain on every row, so one chain over
    fourteen templates would build fourteen sentences per finding; splitting by kind
    builds one.
    """
    templates = explanation_templates(pl.col(substance))
    numbered = _with_component_texts(findings.with_row_index("_order"))
    parts = [
        part.with_columns(explanation=templates[part["kind"][0]])
        if part["kind"][0] in templates
        else part.with_columns(explanation=pl.lit(None, pl.String))
        for part in numbered.partition_by("kind", maintain_order=True)
    ]
    if not parts:
        return findings.with_columns(explanation=pl.lit(None, pl.String))
    return pl.concat(parts).sort("_order").drop("_order", "_parts_txt")


def _side_components(combos: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """``_order, substance, amount, unit, micro`` of one side of each combination pair."""
    long = combos.select("_order", part=pl.col(prefix + "parts")).explode(
        "part", empty_as_null=False
    )
    long = long.filter(pl.col("part").is_not_null()).unnest("part")
    summed = long.group_by("_order", "substance").agg(
        # One line per component on the component side; a sum guards against two.
        amount=pl.when(pl.col("amount").null_count() == 0).then(pl.col("amount").sum()),
        unit=pl.col("unit").first(),
        micro=pl.col("micro").any(),
    )
    return summed.rename({c: prefix + c for c in ("amount", "unit", "micro")})


def _with_component_texts(findings: pl.DataFrame) -> pl.DataFrame:
    """``_parts_txt`` for combination findings: the daily amount per substance on each
    side, "kodein: Cosmic 180 mg/dygn, Pascal 75 mg/dygn; paracetamol: 3 g/dygn på båda"
    (null for other findings)."""
    combos = findings.filter(pl.col("mechanism") == "combination")
    if combos.is_empty() or "c_parts" not in findings.columns:
        return findings.with_columns(_parts_txt=pl.lit(None, pl.String))
    both = _side_components(combos, "c_").join(
        _side_components(combos, "p_"), on=["_order", "substance"], how="full", coalesce=True
    )
    micro = pl.col("c_micro").fill_null(False) | pl.col("p_micro").fill_null(False)
    c_amount = amount(pl.col("c_amount"), pl.col("c_unit"), micro).fill_null("okänd")
    p_amount = amount(pl.col("p_amount"), pl.col("p_unit"), micro).fill_null("okänd")
    c_value, p_value = pl.col("c_amount"), pl.col("p_amount")
    same = (
        (pl.col("c_unit") == pl.col("p_unit"))
        & ((c_value - p_value).abs() <= 1e-6 * pl.max_horizontal(c_value.abs(), p_value.abs()))
    ).fill_null(False)
    text = (
        pl.when(same)
        .then(pl.concat_str("substance", pl.lit(": "), c_amount, pl.lit(" på båda")))
        .otherwise(
            pl.concat_str("substance", pl.lit(": Cosmic "), c_amount, pl.lit(", Pascal "), p_amount)
        )
    )
    texts = (
        both.sort("_order", "substance")
        .group_by("_order", maintain_order=True)
        .agg(_parts_txt=text.str.join("; "))
    )
    return findings.join(texts, on="_order", how="left")


def _concat(parts: Sequence[pl.Expr | str]) -> pl.Expr:
    exprs = [pl.lit(p) if isinstance(p, str) else p.cast(pl.String).fill_null("") for p in parts]
    return pl.concat_str(exprs)
