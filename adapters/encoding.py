"""What kind of file an export is, and its text as UTF-8.

The fast path never decodes a whole file in Python: UTF-8 is the common case, checked
with numpy for text that was decoded wrongly once before ("Ã¤"), and validated by
polars while it parses. Only a file that is not UTF-8 is decoded here: UTF-16 (Excel's
"Unicode text", with or without byte order mark) and Windows-1252, each turned into
UTF-8 bytes. A file that is mostly binary is refused; a stray control character in an
otherwise readable file only costs its own row (see ``csv_reading``).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np

from adapters.source import unusable
from medrecon.errors import UnusableInputError

SAMPLE_BYTES = 1 << 16  # what decides "binary" and "UTF-16"
_CHUNK = 1 << 20  # bytes decoded at a time when telling mixed encodings apart
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls and other OLE documents
_BINARY_MAGIC = {
    b"\x1f\x8b": "en gzip-komprimerad fil",
    b"PK\x05\x06": "en tom zip-fil",
    b"%PDF": "en PDF-fil",
    b"\x89PNG": "en bild (PNG)",
    b"\xff\xd8\xff": "en bild (JPEG)",
    b"BZh": "en bzip2-komprimerad fil",
    b"\xfd7zXZ\x00": "en xz-komprimerad fil",
    b"7z\xbc\xaf\x27\x1c": "ett 7z-arkiv",
    b"\x28\xb5\x2f\xfd": "en zstd-komprimerad fil",
    b"\x7fELF": "ett program",
}
# Control bytes other than TAB, LF and CR: above this share of the first 64 KiB, a file
# is binary, not a text export with a few damaged cells.
_BINARY_SHARE = 0.05
_UTF8_BOM = b"\xef\xbb\xbf"
# What UTF-8 text looks like after it was decoded as Windows-1252 once too often: "Ã¤".
_MOJIBAKE = re.compile("Ã[" + bytes(range(0x80, 0xC0)).decode("cp1252", "ignore") + "]|\ufffd")

ENCODING_NAME = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 med BOM",
    "cp1252": "Windows-1252 (ANSI)",
    "utf-16": "UTF-16 (Excels Unicode-text)",
}


def refuse_binary(path: Path, head: bytes) -> None:
    """Refuse a file whose first bytes say it is no text table (not for ZIP/XLSX)."""
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise unusable(path, f"det är {what}, ingen textfil med en tabell.")
    if head.startswith(OLE_MAGIC):
        raise unusable(
            path, "det gamla Excel-formatet (.xls) stöds inte. Spara filen som .xlsx eller CSV."
        )
    if utf16_order(head) is not None:
        return
    sample = np.frombuffer(head, dtype=np.uint8)
    control = np.count_nonzero(sample < 32) - np.count_nonzero(
        (sample == 9) | (sample == 10) | (sample == 13)
    )
    if sample.size and control > _BINARY_SHARE * sample.size:
        raise unusable(path, "den innehåller binära data och är ingen textfil med en tabell.")


def utf16_order(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` for UTF-16 text (byte order mark, or NUL pattern)."""
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    sample = np.frombuffer(head[: len(head) // 2 * 2][:4096], dtype=np.uint8)
    if sample.size < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    # Latin text in UTF-16: every other byte is NUL, the bytes between almost never are.
    if np.mean(odd == 0) > 0.7 and np.mean(even == 0) < 0.05:
        return "utf-16-le"
    if np.mean(even == 0) > 0.7 and np.mean(odd == 0) < 0.05:
        return "utf-16-be"
    return None


def utf16_to_utf8(path: Path, data: bytes, order: str) -> bytes:
    body = data[2:] if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data
    try:
        return body.decode(order).encode("utf-8")
    except UnicodeError as exc:
        raise unusable(
            path, "den ser ut att vara UTF-16-text men är trasig (udda antal byte?)."
        ) from exc


def has_utf8_bom(head: bytes) -> bool:
    return head.startswith(_UTF8_BOM)


def check_mojibake(path: Path, buffer: np.ndarray) -> None:
    """Refuse UTF-8 text that holds "Ã¤"-style characters (decoded wrongly once before).

    Looked for in bytes with numpy: "Ã" is C3 83 and U+FFFD is EF BF BD in UTF-8; only
    around the (rare) hits is text decoded and matched exactly.
    """
    for start in range(0, buffer.size, _CHUNK):
        chunk = buffer[start : start + _CHUNK + 2]
        # 83 and EF are rare bytes in Swedish UTF-8 text: look for them first.
        second = np.flatnonzero(chunk[1:] == 0x83) + 1
        hits = second[chunk[second - 1] == 0xC3] - 1
        replacement = np.flatnonzero(chunk[:-2] == 0xEF)
        if replacement.size:
            ok = (chunk[replacement + 1] == 0xBF) & (chunk[replacement + 2] == 0xBD)
            hits = np.concatenate([hits, replacement[ok]])
        for hit in np.sort(hits):
            at = start + int(hit)
            window = bytes(buffer[at : at + 8]).decode("utf-8", "ignore")
            found = _MOJIBAKE.match(window)
            if found:
                line = int(np.count_nonzero(buffer[:at] == 10)) + 1
                raise unusable(
                    path,
                    f'texten innehåller felkodade tecken ("{found.group()}" på rad {line}), så '
                    "den har sparats med fel teckenkodning. Exportera den igen som UTF-8 eller "
                    "Windows-1252.",
                )


def decode_non_utf8(path: Path, data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of a file that is not valid UTF-8 (Windows-1252), and that encoding.

    A file that is mostly valid UTF-8 with a few Windows-1252 lines is refused with the
    first bad line: decoding it all as Windows-1252 would garble every å, ä, ö.
    """
    body = data[3:] if data.startswith(_UTF8_BOM) else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _mostly_utf8(body):
            raise UnusableInputError(
                f"Filen {path.name} är inte giltig UTF-8 på rad {line_of(body, exc.start)} "
                "(ett tecken i Windows-1252?). Spara om filen som UTF-8 eller Windows-1252 i "
                "sin helhet.",
                title="Blandad teckenkodning",
            ) from exc
    else:  # valid after all (polars refused it for another reason)
        return data, "utf-8-sig" if data.startswith(_UTF8_BOM) else "utf-8"
    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise unusable(
            path, "teckenkodningen kunde inte avgöras (varken UTF-8 eller Windows-1252)."
        ) from exc
    return text.encode("utf-8"), "cp1252"


def _mostly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 still has more valid UTF-8 letters than bad bytes.

    Such a file is UTF-8 with a few lines pasted in from a Windows-1252 file. A file
    entirely in Windows-1252 has next to no valid multi-byte sequences (a letter such as
    "ä" is one byte followed by ASCII), so it still counts as Windows-1252. Counted in
    chunks, so that the failure path needs no second copy of a large file.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    view = memoryview(data)
    valid = invalid = 0
    for start in range(0, len(data), _CHUNK):
        chunk = decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        non_ascii = len(chunk) - len(chunk.encode("ascii", "ignore"))
        # Each invalid byte became one lone surrogate, which "ignore" drops.
        bad = len(chunk.encode("utf-8", "surrogateescape")) - len(chunk.encode("utf-8", "ignore"))
        valid += non_ascii - bad
        invalid += bad
    return valid > invalid


def line_of(text: str | bytes, position: int) -> int:
    """1-based line number of a position; a line ends with LF, CR LF or a lone CR."""
    if isinstance(text, bytes):
        head = text[:position]
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    prefix = text[:position]
    return prefix.count("\n") + prefix.count("\r") - prefix.count("\r\n") + 1
