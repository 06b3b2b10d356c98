"""The canonical schemas shared by adapters, engine, store, TUI and batch.

One schema for both systems: an adapter's whole job is to turn an export into a frame
with exactly ``CANONICAL_SCHEMA`` (plus ``REJECTED_SCHEMA`` for rows it could not
read). Normalisation adds ``RESOLVED_EXTRA_SCHEMA``; the engine produces
``MATCH_SCHEMA`` and ``FINDING_SCHEMA`` frames. Columns are documented here once, so
that every face of medrecon reads them the same way.
"""

from __future__ import annotations

import polars as pl

from medrecon import kinds as _kinds

# --- Source systems -------------------------------------------------------------------
COSMIC = "cosmic"
PASCAL = "pascal"
SYSTEMS = (COSMIC, PASCAL)
SYSTEM_LABEL = {COSMIC: "Cosmic", PASCAL: "Pascal"}

# --- Controlled values in canonical lines ----------------------------------------------
STATUS_ACTIVE = "active"
STATUS_ENDED = "ended"
STATUS_PAUSED = "paused"
STATUSES = (STATUS_ACTIVE, STATUS_ENDED, STATUS_PAUSED)

ORDER_PRESCRIPTION = "prescription"  # Cosmic "Recept"; every Pascal line
ORDER_WARD_STOCK = "ward_stock"  # Cosmic "Rekvisition"
ORDER_SELF_CARE = "self_care"  # Cosmic "Egenvård"
ORDER_TYPES = (ORDER_PRESCRIPTION, ORDER_WARD_STOCK, ORDER_SELF_CARE)

DISPENSING_DOSE = "dose"  # dose-dispensed (Cosmic Dosdispenserad=Ja, Pascal Dosdispenserad)
DISPENSING_PACKAGE = "package"  # whole package (Cosmic Dosdispenserad=Nej, Helförpackning)

# --- Canonical line: what an adapter produces -------------------------------------------
CANONICAL_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),  # "cosmic" | "pascal"
    "file": pl.String(),  # file name as given (basename), for messages
    "line": pl.Int64(),  # 1-based line number in the file (header is line 1)
    "patient_id": pl.String(),  # canonical 12 characters, e.g. "194005121234"
    "patient_name": pl.String(),  # as exported (Cosmic and Pascal order names differently)
    "care_unit": pl.String(),  # Cosmic Vårdenhet; null for Pascal
    "line_id": pl.String(),  # OrdinationsID / ReceptID
    "product_text": pl.String(),  # Läkemedel / Förskrivet läkemedel
    "substance_text": pl.String(),  # Substans / Verksamt ämne
    "strength_text": pl.String(),  # Styrka
    "form_text": pl.String(),  # Läkemedelsform
    "route_text": pl.String(),  # Administreringsväg / Administreringssätt
    "dosing_text": pl.String(),  # Dosering / Användning
    "dose_morning": pl.Float64(),  # Pascal Morgon; null = none / not given
    "dose_noon": pl.Float64(),  # Pascal Middag
    "dose_evening": pl.Float64(),  # Pascal Kväll
    "dose_night": pl.Float64(),  # Pascal Natt
    "as_needed": pl.Boolean(),  # Cosmic Doseringstyp == "Vid behov"; Pascal "Vid behov" == Ja
    "dosing_type": pl.String(),  # Cosmic Doseringstyp as exported (Stående, Vid behov, ...)
    "dispensing": pl.String(),  # "dose" | "package" | null when unknown
    "start_date": pl.Date(),  # Insättningsdatum
    "end_date": pl.Date(),  # Cosmic Utsättningsdatum / Pascal Utsatt
    "valid_until": pl.Date(),  # Pascal Sista giltighetsdag
    "status": pl.String(),  # "active" | "ended" | "paused"
    "order_type": pl.String(),  # "prescription" | "ward_stock" | "self_care"
    "atc": pl.String(),  # upper case, 7 characters when complete
    "npl_id": pl.String(),
    "prescriber": pl.String(),
    "purpose": pl.String(),  # Ändamål / Behandlingsorsak
    "last_changed": pl.Datetime("us"),  # Senast ändrad / Ändrad
}

# What a line says clinically. A finding's fingerprint and a patient's sign-off hash
# cover these, so a change in any of them is a new situation (file, line number,
# prescriber and last-changed are not).
CONTENT_COLUMNS = (
    "product_text",
    "substance_text",
    "strength_text",
    "form_text",
    "route_text",
    "dosing_text",
    "dose_morning",
    "dose_noon",
    "dose_evening",
    "dose_night",
    "as_needed",
    "dispensing",
    "status",
    "end_date",
    "order_type",
)

# --- Rejected rows: every input row is loaded or listed here ----------------------------
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "file": pl.String(),
    "line": pl.Int64(),
    "patient_id": pl.String(),  # canonical id when readable, else null
    "reason": pl.String(),  # Swedish, e.g. "ogiltigt personnummer ... (kontrollsiffra)"
    # Only for a row whose id could not be read: the id as written, the name and the unit,
    # so the engine can tell which loaded patient a mistyped id most likely belongs to.
    # Shown to nobody as such (they carry patient data); never in logs or JSON.
    "raw_patient_id": pl.String(),
    "patient_name": pl.String(),
    "care_unit": pl.String(),
}

# --- Added by normalisation (medrecon.normalise) ----------------------------------------
RESOLVED_EXTRA_SCHEMA: dict[str, pl.DataType] = {
    # substance resolution
    "substances": pl.List(pl.String()),  # sorted lower-case substance names without salt
    # the components that count for duplicates (Movicol's salts do not: makrogol only)
    "duplicate_substances": pl.List(pl.String()),
    "substance": pl.String(),  # " + ".join(substances); null when unresolved
    "resolved_atc": pl.String(),  # ATC from the line or the catalogue
    "resolution": pl.String(),  # npl | atc | substance | brand | generic | fuzzy | unresolved
    "resolution_score": pl.Float64(),  # 1.0 for exact, rapidfuzz score / 100 for fuzzy
    # strength, normalised (mass in mg, volume in ml, units in E)
    "strength_value": pl.Float64(),  # first component's strength
    "strength_unit": pl.String(),  # "mg", "ml", "E", "mg/ml", "E/ml", "%", ...
    "strength_values": pl.List(pl.Float64()),  # one per component for combinations
    # dose form
    "form_class": pl.String(),  # plain_oral_solid | modified_release | enteric | ... | unknown
    # written | name (a name word only made in one form) | usual (a brand's usual form,
    # never compared) | null when unknown
    "form_source": pl.String(),
    "route": pl.String(),  # normalised route: oral, subcutaneous, transdermal, ...
    # parsed dose (medrecon.normalise.dosing)
    "dose_understood": pl.Boolean(),  # False = text not understood (kept, never guessed)
    "dose_marker": pl.String(),  # "enligt ordination" | "enligt INR" | "enligt schema" | null
    "dose_amount_min": pl.Float64(),  # per administration
    "dose_amount_max": pl.Float64(),
    "dose_unit": pl.String(),  # tablett, kapsel, ml, droppar, E, puff, plåster, ...
    "times_per_day": pl.Float64(),
    "times_stated": pl.Boolean(),  # the number of administrations is written, not implied
    "slot_morning": pl.Float64(),  # amount given at each part of the day when known
    "slot_noon": pl.Float64(),
    "slot_evening": pl.Float64(),
    "slot_night": pl.Float64(),
    "interval_days": pl.Float64(),  # 1 daily, 2 every other day, 7 weekly, 3.5 for 2/week
    "dose_as_needed": pl.Boolean(),  # as-needed according to the dosing text or the columns
    "max_per_day": pl.Float64(),  # "högst 8 per dygn", in max_unit (or dose_unit)
    "max_unit": pl.String(),  # "g" in "max 4 g/dygn"; null: the dose's own unit
    "laterality": pl.Int8(),  # 2 for both eyes, ears or nostrils; amounts are per side
    "daily_units": pl.Float64(),  # mean units per day (max of a range) for standing doses
    "daily_units_min": pl.Float64(),  # the same with the lower ends of ranges
    "dose_course_days": pl.Float64(),  # "i 10 dagar": the course's length, when it ends
    "dose_has_steps": pl.Boolean(),  # a titration, taper or loading dose (not compared)
    "extra_as_needed": pl.Boolean(),  # "1x2 + 1 vb": a standing dose plus an as-needed one
    "daily_amount": pl.Float64(),  # daily_units * strength, in daily_amount_unit
    "daily_amount_min": pl.Float64(),  # the same from daily_units_min
    "daily_amount_unit": pl.String(),  # "mg", "E", "ml", ...
    "max_amount": pl.Float64(),  # an as-needed maximum per day as an amount, in max_amount_unit
    "max_amount_unit": pl.String(),
    "dose_amount": pl.Float64(),  # the amount per administration (upper end), in its unit
    "dose_amount_low": pl.Float64(),  # the lower end of a range ("1-2 tabletter")
    "dose_amount_unit": pl.String(),
    # Pascal: time columns and Användning text both given and they disagree
    "dose_text_conflict": pl.Boolean(),
}

# --- Engine output -----------------------------------------------------------------------
MECHANISMS = _kinds.MECHANISMS

MATCH_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    "cosmic_ids": pl.List(pl.String()),
    "pascal_ids": pl.List(pl.String()),
    "substance": pl.String(),
    "atc": pl.String(),
    "mechanism": pl.String(),
    "score": pl.Float64(),
}

KINDS = _kinds.KINDS
SEVERITIES = ("low", "medium", "high")  # ordered from least to most severe

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),  # stable fingerprint, 16 hex characters
    "patient_id": pl.String(),
    "kind": pl.String(),
    "severity": pl.String(),
    "substance": pl.String(),
    "atc": pl.String(),
    "cosmic_ids": pl.List(pl.String()),
    "pascal_ids": pl.List(pl.String()),
    "explanation": pl.String(),  # plain Swedish
}


def empty_frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema (used wherever there is nothing to report)."""
    return pl.DataFrame(schema=schema)


# --- Per patient, beside the findings ------------------------------------------------------
PATIENT_SCHEMA: dict[str, pl.DataType] = {
    "patient_id": pl.String(),
    # "Efternamn, Förnamn": Cosmic's name when present, else Pascal's turned round
    "patient_name": pl.String(),
    "care_unit": pl.String(),  # Cosmic Vårdenhet (most frequent on the patient's lines)
    "in_cosmic": pl.Boolean(),
    "in_pascal": pl.Boolean(),
    "incomplete": pl.Boolean(),  # some of the patient's rows were rejected
    # Swedish, one sentence per rejected row that (most likely) belongs to the patient
    "incomplete_reasons": pl.List(pl.String()),
    "n_cosmic_lines": pl.Int64(),
    "n_pascal_lines": pl.Int64(),
    "elderly_flags": pl.List(pl.String()),  # indicator codes from rules/elderly.toml
    "elderly_notes": pl.List(pl.String()),  # the same in Swedish, one sentence each
}

# Columns the engine adds to findings beyond the JSON contract (TUI, Excel, store use them).
FINDING_EXTRA_SCHEMA: dict[str, pl.DataType] = {
    "mechanism": pl.String(),  # how the lines were paired; null for unmatched lines
    "score": pl.Float64(),
    "cosmic_summary": pl.String(),  # "Alvedon 500 mg · 2 tabletter 3 gånger dagligen"
    "pascal_summary": pl.String(),
    # hash of (patient, kind, substance) without line content: links a finding whose lines
    # changed (new id) to the decisions taken on its earlier version
    "lineage": pl.String(),
    # hints (engine/hints.py): the newest last change of the lines on each side, the
    # system probably not updated, findings that may be one switch, and the Swedish hint
    "cosmic_changed": pl.Datetime("us"),
    "pascal_changed": pl.Datetime("us"),
    "stale_system": pl.String(),  # "cosmic" | "pascal" | null
    "related_ids": pl.List(pl.String()),
    "hint": pl.String(),
}
