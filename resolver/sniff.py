"""What `resolver init` guesses about a CSV file before reading it: its text encoding and
its delimiter. The guesses are written into the starter config (`encoding`, `delimiter`),
where ingest uses them as declared values.
"""

import codecs
import csv
import io
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
# utf-8 first: it is strict, so text that decodes as utf-8 almost surely is. cp1252 decodes
# all but five bytes; latin-1 decodes every byte, so it is the last resort.
ENCODINGS = ("utf-8", "cp1252", "latin-1")
SAMPLE_BYTES = 1 << 20
SAMPLE_LINES = 50


def sniff_encoding(data: bytes) -> str:
    """The first of ENCODINGS that decodes the whole of `data` (utf-8-sig when it opens
    with a byte order mark)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most fields, the same number on
    every line (a delimiter inside quotes does not count); "," when nothing splits."""
    lines = text.splitlines()[:SAMPLE_LINES]
    if len(text.splitlines()) > SAMPLE_LINES:
        lines = lines[:-1]  # the last sampled line may be cut off
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)),
                                                     delimiter=delimiter) if row}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = delimiter, width
    return best


def sniff_csv(path: Path) -> tuple[str, str, str]:
    """-> (encoding, delimiter, the whole file's text)."""
    data = path.read_bytes()
    encoding = sniff_encoding(data)
    text = data.decode(encoding)
    return encoding, sniff_delimiter(text[:SAMPLE_BYTES]), text
