"""Dosing regimens and the many Swedish ways to write them.

A ``Regimen`` is what a line means (amounts at morning, noon, evening and night; once a
week; as needed with a maximum; or a text no parser can turn into amounts). The text
functions list every way the synthetic exports write one regimen. They run once per
distinct regimen, never per line.

Texts that name *when* the doses are given (``1+0+1+0``, ``1 tablett morgon och
kväll``) are "explicit"; texts that only say how often (``1x2``, ``1 tablett 2 gånger
dagligen``) are written only for the conventional times (morning; morning and evening;
morning, noon and evening; all four), so that no reading of them can disagree with
Pascal's time columns.
"""

from __future__ import annotations

from dataclasses import dataclass

Slots = tuple[float, float, float, float]

SLOT_WORDS = ("morgon", "middag", "kväll", "natt")
SLOT_PHRASES = (
    ("på morgonen",),
    ("mitt på dagen", "vid lunch"),
    ("på kvällen", "till kvällen"),
    ("till natten",),
)
CONVENTIONAL = ((0,), (0, 2), (0, 1, 2), (0, 1, 2, 3))
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "tablett": ("tablett", "tabletter"),
    "kapsel": ("kapsel", "kapslar"),
    "dospåse": ("dospåse", "dospåsar"),
    "ml": ("ml", "ml"),
    "E": ("E", "E"),
    "plåster": ("plåster", "plåster"),
}
SOLID_UNITS = frozenset({"tablett", "kapsel"})
# Dosing texts that carry no amount: a line written like this "needs review" when the
# other side says something else.
UNREADABLE_TEXTS = (
    "Enligt ordination",
    "Enligt särskilt schema",
    "Enligt läkarens ordination",
)


@dataclass(frozen=True)
class Regimen:
    mode: str  # "daily" | "weekly" | "prn" | "special"
    unit: str
    slots: Slots = (0.0, 0.0, 0.0, 0.0)  # daily: amount per time of day
    amount: float = 0.0  # weekly: amount once a week
    prn: tuple[float, float, float] = (0.0, 0.0, 0.0)  # (min, max) per dose, max per day
    text: str = ""  # special: the text itself

    @property
    def as_needed(self) -> bool:
        return self.mode == "prn"


def parse_pattern(pattern: str, unit: str) -> Regimen:
    parts = [float(p.replace("½", "0.5")) for p in pattern.split("+")]
    if len(parts) != 4:
        raise ValueError(f"pattern needs four amounts: {pattern!r}")
    return Regimen("daily", unit, slots=(parts[0], parts[1], parts[2], parts[3]))


def parse_prn(spec: str, unit: str) -> Regimen:
    amounts, max_day = spec.split("/")
    low, _, high = amounts.partition("-")
    return Regimen("prn", unit, prn=(float(low), float(high or low), float(max_day)))


def fmt(amount: float) -> str:
    if amount == 0.5:
        return "½"
    if amount == int(amount):
        return str(int(amount))
    return str(amount).replace(".", ",")


def unit_word(unit: str, amount: float) -> str:
    singular, plural = UNIT_WORDS[unit]
    return singular if amount <= 1 else plural


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


def _nonzero(slots: Slots) -> list[tuple[int, float]]:
    return [(i, a) for i, a in enumerate(slots) if a]


def _units(unit: str, amount: float) -> list[str]:
    words = [unit_word(unit, amount)]
    if unit == "E" and amount > 1:
        words.append("enheter")
    return words


def explicit_texts(reg: Regimen) -> list[str]:
    """Texts that say exactly when each amount is given (or the whole text otherwise)."""
    if reg.mode != "daily":
        return all_texts(reg)
    nz = _nonzero(reg.slots)
    amounts = {a for _, a in nz}
    texts: list[str] = []
    if reg.unit in SOLID_UNITS:
        texts.append("+".join(fmt(a) for a in reg.slots))
    if len(amounts) == 1:
        amount = nz[0][1]
        for word in _units(reg.unit, amount):
            if len(nz) == 1:
                texts += [f"{fmt(amount)} {word} {p}" for p in SLOT_PHRASES[nz[0][0]]]
            else:
                texts.append(f"{fmt(amount)} {word} {_join([SLOT_WORDS[i] for i, _ in nz])}")
    else:
        parts = [f"{fmt(a)} {unit_word(reg.unit, a)} {SLOT_PHRASES[i][0]}" for i, a in nz]
        texts.append(_join(parts))
    return texts


def _frequency_texts(reg: Regimen) -> list[str]:
    nz = _nonzero(reg.slots)
    amounts = {a for _, a in nz}
    if len(amounts) != 1 or tuple(i for i, _ in nz) not in CONVENTIONAL:
        return []
    amount, count = nz[0][1], len(nz)
    texts: list[str] = []
    for word in _units(reg.unit, amount):
        if count == 1:
            texts += [f"{fmt(amount)} {word} dagligen", f"{fmt(amount)} {word} 1 gång dagligen"]
        else:
            texts += [
                f"{fmt(amount)} {word} {count} gånger dagligen",
                f"{fmt(amount)} {word} {count} ggr/dag",
            ]
    if reg.unit in SOLID_UNITS and amount == int(amount):
        texts.append(f"{fmt(amount)}x{count}")
        short = "tabl" if reg.unit == "tablett" else "kaps"
        texts.append(f"{fmt(amount)} {short} x {count}")
    return texts


def all_texts(reg: Regimen) -> list[str]:
    """Every way the exports may write this regimen."""
    if reg.mode == "daily":
        return explicit_texts(reg) + _frequency_texts(reg)
    if reg.mode == "weekly":
        a, word = fmt(reg.amount), unit_word(reg.unit, reg.amount)
        return [f"{a} {word} en gång i veckan", f"{a} {word} 1 gång per vecka"]
    if reg.mode == "prn":
        low, high, max_day = reg.prn
        a = fmt(low) if low == high else f"{fmt(low)}-{fmt(high)}"
        word, max_word = unit_word(reg.unit, high), unit_word(reg.unit, max_day)
        m = fmt(max_day)
        texts = [
            f"{a} {word} vid behov, högst {m} per dygn",
            f"{a} {word} vid behov, max {m} {max_word} per dygn",
            f"Vid behov {a} {word}, högst {m} {max_word}/dygn",
        ]
        if low == high == 1:
            texts.append(f"1 {word} vid behov, högst {m} gånger per dygn")
        return texts
    return [reg.text, reg.text[0].lower() + reg.text[1:]]


def column_values(reg: Regimen) -> list[tuple[str, str, str, str]]:
    """Pascal's Morgon/Middag/Kväll/Natt cells for a daily regimen, in a few spellings."""
    out = []
    for half in ("½", "0,5", "1/2"):
        cells = ["" if a == 0 else (half if a == 0.5 else fmt(a)) for a in reg.slots]
        out.append((cells[0], cells[1], cells[2], cells[3]))
    return out


def doubled(reg: Regimen) -> Regimen | None:
    """Twice the units (half the strength gives the same daily amount)."""
    if reg.mode != "daily" or reg.unit not in SOLID_UNITS or max(reg.slots) > 2:
        return None
    s = reg.slots
    return Regimen("daily", reg.unit, slots=(2 * s[0], 2 * s[1], 2 * s[2], 2 * s[3]))


def rescheduled(reg: Regimen) -> Regimen | None:
    """The same daily amount given at other times of the day."""
    if reg.mode != "daily":
        return None
    s = list(reg.slots)
    nz = _nonzero(reg.slots)
    if len(nz) == 1:
        i, a = nz[0]
        s[i], s[0 if i != 0 else 2] = 0.0, a
    elif len(nz) == 2:
        (i, a), (j, b) = nz
        if a != b:
            s[i], s[j] = b, a
        else:
            s[i], s[j] = a + b, 0.0
    else:  # noon moves to the morning, night to the evening
        s = [s[0] + s[1], 0.0, s[2] + s[3], 0.0]
    new = (s[0], s[1], s[2], s[3])
    return None if new == reg.slots else Regimen("daily", reg.unit, slots=new)


def changed_dose(reg: Regimen) -> Regimen | None:
    """A different total daily dose (or a daily dose instead of a weekly one)."""
    step = {"E": 4.0, "ml": 5.0}.get(reg.unit, 1.0)
    if reg.mode == "daily":
        s = list(reg.slots)
        nz = _nonzero(reg.slots)
        if len(nz) == 1:
            i, a = nz[0]
            s[i] = 1.0 if a == 0.5 else a + step
        else:
            s[nz[-1][0]] = 0.0
        return Regimen("daily", reg.unit, slots=(s[0], s[1], s[2], s[3]))
    if reg.mode == "weekly":
        return Regimen("daily", reg.unit, slots=(reg.amount, 0.0, 0.0, 0.0))
    if reg.mode == "prn":
        low, high, max_day = reg.prn
        new_max = max_day * 2 if max_day <= 2 * high else max_day - high
        return Regimen("prn", reg.unit, prn=(low, high, new_max))
    return None
