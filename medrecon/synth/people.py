"""Fictional patients: Swedish names, care units, and identity numbers.

Every generated person gets an identity number of their own: the birth date (1925-1950)
and the three-digit birth number are drawn together without replacement, so ids stay
unique far beyond 250,000 patients (about 4.7 million combinations). Personnummer and
samordningsnummer (birth day + 60) get a valid Luhn check digit over the 10-digit form;
the birth number's last digit is even for women and odd for men. The numbers are drawn at
random and belong to fictional people (made-up names, made-up drug lists). Region
Värmland reserve numbers (``YYYYMMDD`` + ``S`` + one of ``FUXPL`` + a digit + a letter or
digit) carry no check digit.
"""

from __future__ import annotations

import numpy as np
import polars as pl

FIRST_NAMES_F = (
    "Karin", "Margareta", "Birgitta", "Ingrid", "Gunnel", "Elsa", "Britt", "Gun", "Marianne",
    "Ulla", "Inger", "Kerstin", "Barbro", "Anna-Lisa", "Siv", "Maj-Britt", "Solveig", "Astrid",
    "Gunvor", "Ingegerd", "Märta", "Aina", "Rut", "Ebba", "Göta",
)  # fmt: skip
FIRST_NAMES_M = (
    "Sven", "Karl", "Lars", "Bengt", "Gösta", "Åke", "Rolf", "Lennart", "Stig", "Bertil",
    "Olle", "Ingvar", "Gunnar", "Erik", "Sture", "Kjell", "Arne", "Evert", "Harry", "Nils",
    "Torsten", "Göran", "Ove", "Leif", "Yngve",
)  # fmt: skip
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Lindström", "Lindqvist", "Berg", "Axelsson",
    "Berglund", "Sundberg", "Lundgren", "Forsberg", "Sjöberg", "Wallin", "Engström",
    "Danielsson", "Håkansson", "Nyström", "Åberg", "Löfgren", "Söderberg", "Björk",
    "Fröding", "Ekström", "Hedlund", "Blom", "Dahlgren",
)  # fmt: skip
CARE_UNITS = (
    "Hemsjukvård Karlstad Norr",
    "Hemsjukvård Karlstad Söder",
    "Säbo Solgläntan Kil",
    "Hemsjukvård Arvika",
    "Korttidsboende Hammarö",
    "Säbo Tallbacken Forshaga",
    "Hemsjukvård Säffle",
    "Säbo Björkgården Grums",
)
PRESCRIBERS = (
    "Lena Berg", "Anders Holm", "Maria Ek", "Johan Strand", "Sara Lind", "Per Nyberg",
    "Eva Sandberg", "Mikael Falk", "Cecilia Dahl", "Tomas Wiklund",
)  # fmt: skip
RESERVE_LETTERS = np.array(list("FUXPL"))
RESERVE_LAST = np.array(list("ABCDEFGHJK0123456789"))
SERIAL_PAIRS = 499  # birth numbers 002-999 (000 and 001 are not used)

FIRST_BIRTH_YEAR, LAST_BIRTH_YEAR = 1925, 1950


def luhn_check_digits(nine_digits: np.ndarray) -> np.ndarray:
    """Check digit for each row of an (n, 9) digit array (Swedish personnummer rule)."""
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    products = nine_digits * weights
    total = (products // 10 + products % 10).sum(axis=1)
    return (10 - total % 10) % 10


def luhn_valid(ten_digits: str) -> bool:
    """True when the last digit of a 10-digit number is its Luhn check digit."""
    digits = np.array([[int(c) for c in ten_digits[:9]]])
    return int(luhn_check_digits(digits)[0]) == int(ten_digits[9])


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1)
    return (values[:, None] // powers) % 10


def make_patients(rng: np.random.Generator, n: int, *, noise: bool) -> pl.DataFrame:
    """One row per patient: canonical id, both systems' written id and name, care unit.

    Columns: ``patient_id`` (canonical, 12 characters), ``cosmic_pnr``, ``pascal_pnr``,
    ``cosmic_name``, ``pascal_name``, ``care_unit``, ``birth_year``.
    """
    first_day = np.datetime64(f"{FIRST_BIRTH_YEAR}-01-01")
    n_days = int((np.datetime64(f"{LAST_BIRTH_YEAR}-12-31") - first_day).astype(int)) + 1
    # One code per person, drawn without replacement: birth day x birth-number pair.
    # Pair p (1..499) gives birth number 2p (a woman) or 2p + 1 (a man), so the sex can be
    # drawn freely without two people ever sharing a date and a birth number.
    if n > n_days * SERIAL_PAIRS:
        raise ValueError(f"at most {n_days * SERIAL_PAIRS} unique patients")
    code = rng.choice(n_days * SERIAL_PAIRS, size=n, replace=False)
    pair = 1 + code % SERIAL_PAIRS
    offsets = code // SERIAL_PAIRS + int(first_day.astype("datetime64[D]").astype(int))
    birth = pl.Series("birth", offsets).cast(pl.Int32).cast(pl.Date)
    year = birth.dt.year().to_numpy().astype(np.int64)
    month = birth.dt.month().to_numpy().astype(np.int64)
    day = birth.dt.day().to_numpy().astype(np.int64)
    female = rng.random(n) < 0.6
    serial = pair * 2 + np.where(female, 0, 1)
    kind = rng.random(n)
    samordning = kind < 0.03
    reserve = (kind >= 0.03) & (kind < 0.04)
    id_day = np.where(samordning, day + 60, day)
    date_number = (year % 100) * 10000 + month * 100 + id_day
    nine = np.concatenate([_digits(date_number, 6), _digits(serial, 3)], axis=1)
    check = luhn_check_digits(nine)
    last4 = serial * 10 + check
    # reserve tails follow the birth-number pair, so they are unique per birth date too
    reserve_tail = (
        pl.Series(np.char.add("S", RESERVE_LETTERS[pair % 5]))
        + pl.Series(((pair // 5) % 10).astype(str))
        + pl.Series(RESERVE_LAST[pair // 50])
    )
    frame = pl.DataFrame(
        {
            "century": (year // 100).astype(np.int64),
            "date6": date_number.astype(np.int64),
            "last4": last4.astype(np.int64),
            "reserve": reserve,
            "reserve_tail": reserve_tail,
            "year": year.astype(np.int64),
            "fmt_c": rng.integers(0, 10, n) if noise else np.zeros(n, dtype=np.int64),
            "fmt_p": rng.integers(0, 10, n) if noise else np.zeros(n, dtype=np.int64),
        }
    )
    date6 = pl.col("date6").cast(pl.String).str.zfill(6)
    date8 = pl.col("century").cast(pl.String) + date6
    tail = pl.col("last4").cast(pl.String).str.zfill(4)
    canonical = (
        pl.when(pl.col("reserve")).then(date8 + pl.col("reserve_tail")).otherwise(date8 + tail)
    )
    # Cosmic: mostly YYYYMMDD-NNNN; some 12 digits; some YYMMDD-NNNN (born 1930 or later)
    # or YYMMDD+NNNN (born 1925, so 100 years old on any date after 2025).
    short_sep = pl.when(pl.col("year") == FIRST_BIRTH_YEAR).then(pl.lit("+")).otherwise(pl.lit("-"))
    short_ok = (pl.col("year") >= 1930) | (pl.col("year") == FIRST_BIRTH_YEAR)
    cosmic = (
        pl.when(pl.col("reserve"))
        .then(canonical)
        .when(pl.col("fmt_c") < 7)
        .then(date8 + "-" + tail)
        .when((pl.col("fmt_c") == 9) & short_ok)
        .then(date6 + short_sep + tail)
        .otherwise(canonical)
    )
    pascal = (
        pl.when(pl.col("reserve") | (pl.col("fmt_p") < 8))
        .then(canonical)
        .otherwise(date8 + "-" + tail)
    )
    first_f = np.array(FIRST_NAMES_F)[rng.integers(0, len(FIRST_NAMES_F), n)]
    first_m = np.array(FIRST_NAMES_M)[rng.integers(0, len(FIRST_NAMES_M), n)]
    first = np.where(female, first_f, first_m)
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n)]
    ids = frame.select(patient_id=canonical, cosmic_pnr=cosmic, pascal_pnr=pascal)
    return ids.with_columns(
        cosmic_name=pl.Series(np.char.add(np.char.add(last, ", "), first)),
        pascal_name=pl.Series(np.char.add(np.char.add(first, " "), last)),
        care_unit=pl.Series(np.array(CARE_UNITS)[rng.integers(0, len(CARE_UNITS), n)]),
        birth_year=frame["year"],
    )
