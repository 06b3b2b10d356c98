"""Plain Swedish explanations, built as polars string expressions over whole columns.

``with_display_columns`` gives every line its readable pieces (daily amount, Pascal's
time columns, a one-line description). ``explanation`` and ``summary`` combine the
pieces of a finding's two sides (``c_*`` / ``p_*`` from ``sides.with_sides``) into
sentences that name both sides' values, e.g.
"Furosemid: Cosmic 40 mg/dygn (1 tablett på morgonen), Pascal 80 mg/dygn (Morgon 1, Middag 1)."
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from medrecon.schema import DISPENSING_DOSE, DISPENSING_PACKAGE, PASCAL

_SLOT_NAMES = (
    ("dose_morning", "Morgon"),
    ("dose_noon", "Middag"),
    ("dose_evening", "Kväll"),
    ("dose_night", "Natt"),
)
_DISPENSING_WORD = {DISPENSING_DOSE: "dosdispenserad", DISPENSING_PACKAGE: "helförpackning"}


def number(expr: pl.Expr) -> pl.Expr:
    """A number the Swedish way: no trailing ".0", decimal comma, at most 3 decimals."""
    text = expr.round(3).cast(pl.String)
    return text.str.replace(r"\.0$", "").str.replace(".", ",", literal=True)


def amount(value: pl.Expr, unit: pl.Expr, per: str = "/dygn") -> pl.Expr:
    """An amount with its unit and period, in g or µg when that reads better than mg."""
    grams = (unit == "mg") & (value >= 1000)
    micro = (unit == "mg") & (value < 1) & (value > 0)
    return (
        pl.when(grams)
        .then(pl.concat_str(number(value / 1000), pl.lit(" g" + per)))
        .when(micro)
        .then(pl.concat_str(number(value * 1000), pl.lit(" µg" + per)))
        .otherwise(pl.concat_str(number(value), pl.lit(" "), unit, pl.lit(per)))
    )


def _standing_amount() -> pl.Expr:
    """A standing dose's amount: per week or every other day when given so, else per day."""
    daily, unit, interval = (
        pl.col("daily_amount"),
        pl.col("daily_amount_unit"),
        pl.col("interval_days"),
    )
    return (
        pl.when(interval == 7)
        .then(amount(daily * 7, unit, "/vecka"))
        .when(interval == 2)
        .then(amount(daily * 2, unit, " varannan dag"))
        .otherwise(amount(daily, unit))
    )


def _slots_text() -> pl.Expr:
    """Pascal's time columns as "Morgon 1, Middag 1" (null when none is given)."""
    parts = [
        pl.when(pl.col(col).is_not_null() & (pl.col(col) != 0)).then(
            pl.concat_str(pl.lit(name + " "), number(pl.col(col)))
        )
        for col, name in _SLOT_NAMES
    ]
    text = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    return pl.when(text != "").then(text)


def with_display_columns(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``_amount_txt``, ``_slots_txt``, ``_dose_desc`` and ``_line_desc`` to lines."""
    daily = _standing_amount()
    prn_max = pl.when(pl.col("max_per_day").is_not_null()).then(
        pl.concat_str(
            pl.lit("högst "),
            pl.when(pl.col("strength_value").is_not_null() & pl.col("strength_unit").is_not_null())
            .then(
                amount(
                    pl.col("max_per_day") * pl.col("strength_value"),
                    pl.col("strength_unit").str.extract(r"^([^/]+)", 1),
                )
            )
            .otherwise(
                pl.concat_str(
                    number(pl.col("max_per_day")),
                    pl.lit(" "),
                    pl.col("dose_unit").fill_null("st"),
                    pl.lit("/dygn"),
                )
            ),
        )
    )
    amount_txt = pl.when(pl.col("_prn")).then(prn_max).otherwise(daily)
    slots = _slots_text()
    text = pl.col("dosing_text").str.strip_chars()
    dose_desc = pl.coalesce(
        pl.when(pl.col("source") == PASCAL).then(slots),
        pl.when(text != "").then(text),
        pl.lit("ingen dosering angiven"),
    )
    product = pl.coalesce(
        pl.col("product_text"), pl.col("substance_text"), pl.lit("okänt läkemedel")
    )
    return lines.with_columns(
        _amount_txt=amount_txt, _slots_txt=slots, _dose_desc=dose_desc
    ).with_columns(_line_desc=pl.concat_str(product, pl.lit(" · "), pl.col("_dose_desc")))


def _capitalised(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str(expr.str.slice(0, 1).str.to_uppercase(), expr.str.slice(1))


def _dose(prefix: str) -> pl.Expr:
    """One side's dose: "40 mg/dygn (1 tablett på morgonen)" or the text alone."""
    amt = pl.col(prefix + "_amount_txt")
    desc = pl.col(prefix + "_dose_desc")
    total = pl.when(pl.col(prefix + "n") > 1).then(
        amount(pl.col(prefix + "total"), pl.col(prefix + "daily_amount_unit"))
    )
    descs = pl.col(prefix + "descs").list.join("; ")
    return (
        # A combination against its components: each line as written (a sum of different
        # substances means nothing).
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
    dup_n = pl.max_horizontal("c_n", "p_n").cast(pl.String)
    group_total = pl.when(pl.col("c_n") > 1).then("c_total").otherwise("p_total")
    same_amount = (
        pl.when(pl.col("mechanism") == "combination")
        .then(pl.lit(None, pl.String))
        .when(pl.col("mechanism") == "split")
        .then(amount(group_total, pl.col("c_daily_amount_unit")))
        .otherwise(pl.col("c__amount_txt"))
    )
    same_note = pl.coalesce(pl.concat_str(pl.lit(" ("), same_amount, pl.lit(")")), pl.lit(""))
    texts: dict[str, list[pl.Expr | str]] = {
        "missing_in_pascal": [name, ": aktiv i Cosmic (", c_desc, ") men saknas i Pascal."],
        "missing_in_cosmic": [name, ": aktiv i Pascal (", p_desc, ") men saknas i Cosmic."],
        "ended_in_cosmic": [
            name,
            ": utsatt i Cosmic",
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
        "dose": [name, ": Cosmic ", _dose("c_"), ", Pascal ", _dose("p_"), "."],
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
            pl.col("c_form_text").fill_null(pl.col("c_form_class")),
            ", Pascal ",
            pl.col("p_form_text").fill_null(pl.col("p_form_class")),
            ".",
        ],
        "route": [
            name,
            ": olika administreringsväg – Cosmic ",
            pl.col("c_route_text").fill_null(pl.col("c_route")),
            ", Pascal ",
            pl.col("p_route_text").fill_null(pl.col("p_route")),
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
            " aktiva rader i ",
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
    parts = [
        part.with_columns(explanation=templates[part["kind"][0]])
        if part["kind"][0] in templates
        else part.with_columns(explanation=pl.lit(None, pl.String))
        for part in findings.with_row_index("_order").partition_by("kind", maintain_order=True)
    ]
    if not parts:
        return findings.with_columns(explanation=pl.lit(None, pl.String))
    return pl.concat(parts).sort("_order").drop("_order")


def _concat(parts: Sequence[pl.Expr | str]) -> pl.Expr:
    exprs = [pl.lit(p) if isinstance(p, str) else p.cast(pl.String).fill_null("") for p in parts]
    return pl.concat_str(exprs)
