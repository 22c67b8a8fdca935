"""The fingerprint's fast word cutting and hashing give exactly what the straightforward lines give: the
signatures are stored in the indexes, so a single value off would split clusters across versions."""
from __future__ import annotations

import hashlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.clusters import keys
from monitor.query._unicode61 import FOLD
from monitor.query.words import tokenize

# Words of every kind the fast path treats apart: ASCII, folded Latin, combining marks that fold to nothing,
# letters above U+FFFF (the slow path), curly quotes and other separators.
_FOLDING = "".join(chr(code) for code, _ in FOLD[::40])
_PIECES = st.sampled_from(["storm", "Ferry", "3.14", "café", "Łódź", "e\u0301", "\u0301", "\u0301\u0302", "ΣΊΣΥΦΟΣ",
                           "Київ", "𝐀𝐁", "\U00020000", "😀", "’", "“", " ", "\n", "-", "  ", "\u00a0", "\u200b"])
_TEXTS = st.one_of(
    st.lists(st.one_of(_PIECES, st.text(alphabet=_FOLDING, max_size=3)), max_size=120).map("".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.lists(st.sampled_from(["a", "b", "c", "é", "ß", "\u0301", " ", "’"]), max_size=300).map("".join),
)


def _reference_minhash(shingle_set: set[bytes]) -> np.ndarray:
    """main's lines before the digests were batched: one int per SHA-1."""
    hashes = np.fromiter((int.from_bytes(hashlib.sha1(s).digest()[:4], "little") for s in shingle_set),
                         dtype=np.uint32, count=len(shingle_set))
    first, second = keys._FMIX_MULTIPLIERS
    hashes ^= hashes >> 16
    hashes *= first
    hashes ^= hashes >> 13
    hashes *= second
    hashes ^= hashes >> 16
    a, b = keys._permutations()
    return (np.outer(hashes, a) + b).min(axis=0)


def _reference(text: str) -> keys.Fingerprint | None:
    words = tokenize(text)
    if len(words) < keys.MIN_WORDS:
        return None
    shingle_set = keys._runs(words)
    return keys._fingerprint(_reference_minhash(shingle_set)) if shingle_set else None


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_fast_words_and_shingles_are_tokenize_s(text: str) -> None:
    words = keys._shingle_words(text)
    assert words == [word.encode("utf-8") for word in tokenize(text)]
    assert keys._shingle_set(words) == keys.shingles(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=4).map(" ".join))
def test_the_fast_fingerprint_is_the_straightforward_one(text: str) -> None:
    mine, reference = keys.fingerprint(text), _reference(text)
    assert mine == reference
    if mine is not None and reference is not None:
        assert mine.encoded() == reference.encoded()


def test_a_long_real_looking_text_keeps_its_signature_on_both_paths() -> None:
    text = " ".join(f"Le café n°{i} a rouvert “hier” à Łódź, dit-on" for i in range(40))
    assert keys.fingerprint(text) == _reference(text)
    assert keys.fingerprint(text + " 😀") == _reference(text + " 😀")  # a non-BMP character: tokenize's path
