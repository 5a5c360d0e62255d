"""What a text file is, guessed from its first lines: the encoding, the delimiter, whether
the first row is a header, and the column names it gives."""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from functools import cache
from pathlib import Path

from customer360 import contract
from customer360.errors import UserError
from customer360.ingest.common import normalise
from customer360.ingest.mapping import SYNONYMS

RESERVED = ("_source_file", "_source_row")


def encoding(path: Path) -> str:
    """'utf-8' when the whole file decodes as UTF-8, 'utf-16' for UTF-16 with a
    little-endian byte-order mark (Excel's "Unicode text"), else 'latin-1'. A file with
    NUL bytes that is none of these is refused: it is binary, or text in an encoding
    that would land as garbage."""
    with path.open("rb") as file:
        start = file.read(65536)
        if start.startswith(b"\xff\xfe") and not start.startswith(b"\xff\xfe\x00\x00"):
            return "utf-16"
        if (nul := start.find(b"\x00")) >= 0:
            raise UserError(
                f"{path}: not a text file ingest can read: it holds NUL bytes at byte "
                f"{nul + 1:,} (binary data, or UTF-16 big-endian or UTF-32 "
                "text). Save it as CSV in UTF-8 (Excel: 'CSV UTF-8'), or give an Excel or "
                "Parquet file its .xlsx or .parquet suffix."
            )
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(start)
            while chunk := file.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def sample_text(path: Path, charset: str, size: int = 65536) -> list[str]:
    """The first lines of the file (a last, possibly cut line dropped)."""
    with path.open("rb") as file:
        raw = file.read(size)
    python_charset = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(charset, charset)
    text = raw.decode(python_charset, errors="replace")
    lines = text.splitlines()
    return lines[:-1] if len(raw) == size and len(lines) > 1 else lines


def sniff_delimiter(lines: list[str]) -> str | None:
    """The delimiter that splits the first line and most of the others into the same
    number (> 1) of fields: the most consistent, then the most fields."""
    sample = lines[:50]
    best, best_key = None, (0.0, 1)
    for delimiter in [",", ";", "\t", "|"]:
        widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        width, hits = Counter(widths).most_common(1)[0]
        key = (hits / len(widths), width)
        if width > 1 and widths[0] == width and key[0] >= 0.6 and key > best_key:
            best, best_key = delimiter, key
    return best


def looks_like_value(text: str) -> bool:
    """A number or a date: something a header cell is not."""
    text = text.strip()
    return bool(re.fullmatch(r"[-+$€£]?[\d.,:/ T-]+", text)) and any(c.isdigit() for c in text)


@cache
def known_names() -> frozenset[str]:
    """Every contract column name and synonym, normalised."""
    names = {normalise(name) for names in SYNONYMS.values() for name in names}
    names |= {normalise(name) for name in SYNONYMS}
    for entity in contract.load().values():
        names |= {normalise(name) for name in entity.column_names}
    return frozenset(names)


def looks_like_header(first: list[str], following: list[list[str]]) -> bool:
    """Whether the first row names the columns. A number or a date says no; a known
    column name says yes; else yes when the rows below hold numbers or dates, or when the
    names are distinct and do not recur below."""
    cells = [cell.strip() for cell in first]
    if any(looks_like_value(cell) for cell in cells):
        return False
    if any(normalise(cell) in known_names() for cell in cells):
        return True
    if any(looks_like_value(cell) for row in following for cell in row):
        return True
    below = {cell.strip() for row in following for cell in row}
    return all(cells) and len(set(cells)) == len(cells) and not set(cells) & below


def unique_names(cells: list[str]) -> list[str]:
    """Header cells as distinct column names; blanks become columnN, and names ingest
    itself writes get a trailing underscore."""
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = str(cell).strip() or f"column{index}"
        while name in names or name in RESERVED:
            name += "_"
        names.append(name)
    return names


def numbered_names(count: int) -> list[str]:
    """The names of a headerless file's columns."""
    return [f"column{index}" for index in range(1, count + 1)]
