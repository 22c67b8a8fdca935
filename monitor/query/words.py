"""Words as every backend sees them: SQLite FTS5 ``unicode61 remove_diacritics 2`` tokenization and folding.

SQLite is the reference: which characters belong to words and how each one folds (lower case,
Latin diacritics removed) is read from SQLite itself into the generated table ``monitor/_unicode61.py``
(``python -m monitor.query.words`` rewrites it). The Python matcher tokenizes with this module and the
Elasticsearch/OpenSearch analyzer (monitor.query.ENGINE_TEXT_ANALYSIS) is built from the same table,
so the three backends agree on what a word is. Folding is per character and context-free, exactly
as in unicode61: no stemming, no ``ß → ss``, Cyrillic and Greek keep their accents.
"""
from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

from monitor.query._unicode61 import FOLD, TOKEN_RANGES

FTS5_TOKENIZE = "unicode61 remove_diacritics 2"


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges
    )


_WORD_RE = re.compile(f"[{_char_class(TOKEN_RANGES)}]+" if TOKEN_RANGES else "(?!)")  # empty while bootstrapping
_FOLD_TABLE: dict[int, str] = dict(FOLD)


def tokenize(text: str) -> list[str]:
    """The folded words of ``text`` in order, as FTS5 indexes them (positions are list indexes)."""
    # Folding first is the same as folding each word: a word character folds to word characters or to
    # nothing, and no other character folds (tests/query hold this over the whole table).
    return _WORD_RE.findall(text.translate(_FOLD_TABLE))


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Like tokenize, with each word's (start, end) offsets in ``text`` (for snippets)."""
    out: list[tuple[str, int, int]] = []
    for match in _WORD_RE.finditer(text):
        word = match.group().translate(_FOLD_TABLE)
        if word:
            out.append((word, match.start(), match.end()))
    return out


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    start = 0
    for a, b in ranges:
        if a > start:
            out.append((start, a - 1))
        start = b + 1
    if start <= 0x10FFFF:
        out.append((start, 0x10FFFF))
    return tuple(out)


def _java_range(a: int, b: int) -> str:
    return f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}"


def java_char_class(ranges: tuple[tuple[int, int], ...], leaf: int = 4) -> str:
    """A Java regex character class matching exactly the code points of ``ranges`` (sorted, disjoint).

    Java's regex tests a flat class item by item (a chain of one predicate per range), so a class of
    hundreds of ranges costs hundreds of calls per character. This one is a binary search tree instead:
    ``[[\\x{lo}-\\x{hi}&&[left half]][\\x{lo}-\\x{hi}&&[right half]]]``, where each intersection first
    tests the half's span and skips the half when the character is outside it, so a character costs
    about 2·log2(ranges) range tests. Plain code point ranges, no Unicode properties: the set does not
    depend on the Unicode version of the JVM running the engine.
    """
    if not ranges:
        raise ValueError("empty character class")
    if len(ranges) <= leaf:
        return "[" + "".join(_java_range(a, b) for a, b in ranges) + "]"
    mid = len(ranges) // 2
    halves = (ranges[:mid], ranges[mid:])
    return "[" + "".join(
        f"[{_java_range(h[0][0], h[-1][1])}&&{java_char_class(h, leaf)}]" for h in halves
    ) + "]"


def java_separator_pattern() -> str:
    """The engine's pattern tokenizer pattern: runs of non-word characters (everything outside TOKEN_RANGES)."""
    return java_char_class(_complement(TOKEN_RANGES)) + "+"


def java_dropped_pattern() -> str:
    """Pattern for the characters that fold to nothing (the combining marks remove_diacritics drops)."""
    dropped = sorted(cp for cp, folded in FOLD if not folded)
    ranges: list[list[int]] = []
    for cp in dropped:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return java_char_class(tuple((a, b) for a, b in ranges))


def fold_mappings() -> tuple[list[str], list[str]]:
    """(``"X => x"`` rules for a mapping char filter, characters that fold to nothing)."""
    rules = [f"{chr(cp)} => {folded}" for cp, folded in FOLD if folded]
    dropped = [chr(cp) for cp, folded in FOLD if not folded]
    return rules, dropped


def probe_sqlite() -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, str], ...]]:
    """Ask this SQLite which characters are word characters and how each folds (a few seconds)."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE f USING fts5(x, tokenize='{FTS5_TOKENIZE}')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    # Every code point, unassigned ones too: SQLite's tables and Python's come from different Unicode versions.
    candidates = [cp for cp in range(1, 0x110000) if unicodedata.category(chr(cp)) != "Cs"]
    word_chars: list[int] = []
    fold: list[tuple[int, str]] = []
    chunk_size = 20000
    for i in range(0, len(candidates), chunk_size):
        chunk = candidates[i : i + chunk_size]
        # "q<c>q" is one word when <c> is a word character, two words "q" "q" when it is a separator.
        conn.execute("DELETE FROM f")
        conn.execute("INSERT INTO f(rowid, x) VALUES (1, ?)", (" z ".join(f"q{chr(cp)}q" for cp in chunk),))
        groups: list[list[str]] = [[]]
        for (term,) in conn.execute("SELECT term FROM v ORDER BY offset"):
            if term == "z":
                groups.append([])
            else:
                groups[-1].append(term)
        if len(groups) != len(chunk):
            raise RuntimeError("unexpected FTS5 tokenization while probing")
        for cp, group in zip(chunk, groups):
            if len(group) == 1:
                word_chars.append(cp)
                folded = group[0][1:-1]
                if folded != chr(cp):
                    fold.append((cp, folded))
    conn.close()
    ranges: list[list[int]] = []
    for cp in word_chars:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return tuple((a, b) for a, b in ranges), tuple(fold)


def write_table(path: Path) -> None:
    ranges, fold = probe_sqlite()
    lines = [
        '"""Generated by `python -m monitor.query.words` from SQLite '
        f'{sqlite3.sqlite_version} FTS5 {FTS5_TOKENIZE}: do not edit."""',
        "",
        "# Inclusive code point ranges of word characters.",
        "TOKEN_RANGES: tuple[tuple[int, int], ...] = (",
    ]
    lines += [f"    ({a}, {b})," for a, b in ranges]
    lines += [")", "", "# (code point, folded form) for every word character that folds to something else.",
              "FOLD: tuple[tuple[int, str], ...] = ("]
    lines += [f"    ({cp}, {folded!r})," for cp, folded in fold]
    lines += [")", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    target = Path(__file__).with_name("_unicode61.py")
    write_table(target)
    print(f"wrote {target}", file=sys.stderr)
