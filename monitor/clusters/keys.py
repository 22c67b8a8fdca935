"""Near-duplicate keys of an article's text: word shingles, a MinHash signature and its LSH band keys."""
from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from monitor.query._unicode61 import TOKEN_RANGES
from monitor.query.words import _FOLD_TABLE, _char_class, tokenize

SHINGLE_WORDS = 4
# 42 bands of 3 rows: pairs at Jaccard 0.35 share a band key with probability 1 - (1 - 0.35**3)**42 = 0.85,
# at 0.5 with 0.996, at 0.1 with 0.04; the MinHash estimate then verifies each candidate.
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
SEED = 20261201  # fixed: keys stored in an index must come out the same in every process, forever
# Texts this short (in words) say too little to tell a copy from a look-alike.
MIN_WORDS = 25
# MinHash as datasketch 2.0 computes it by default (its "affine32" scheme), whose values the indexes store: our own
# dozen lines, since importing datasketch imports scipy.integrate (for LSH tuning), 1 s of CPU in every crawl.
_FMIX_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


@dataclass(frozen=True)
class Fingerprint:
    """What the index keeps per article to find and check its near-duplicates."""

    signature: tuple[int, ...]  # NUM_PERM MinHash values
    band_keys: tuple[str, ...]  # BANDS keys "band:hash", one terms query finds the candidates

    @cached_property
    def values(self) -> np.ndarray:
        return np.asarray(self.signature, dtype=np.uint32)

    def similarity(self, other: Fingerprint) -> float:
        """The MinHash estimate of the two texts' shingle Jaccard similarity."""
        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    def encoded(self) -> str:
        """The signature as the index stores it: NUM_PERM 32-bit values, base64."""
        return base64.b64encode(np.asarray(self.signature, dtype="<u4").tobytes()).decode("ascii")

    @classmethod
    def decode(cls, text: str) -> Fingerprint:
        """A fingerprint from its stored signature (``encoded``); ValueError for one of another shape."""
        raw = base64.b64decode(text, validate=True)
        if len(raw) != NUM_PERM * 4:
            raise ValueError(f"a cluster signature holds {NUM_PERM} values, this one {len(raw) // 4}")
        # The dtype MinHash keeps (uint32): band keys hash those bytes.
        return _fingerprint(np.frombuffer(raw, dtype="<u4").astype(np.uint32))


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The overlapping runs of ``size`` words, cut and folded as the search index cuts words."""
    return _runs(tokenize(text), size)


def _runs(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


# tokenize's word characters below U+10000. Python's re keeps a class's BMP part as one bitmap but tests its
# non-BMP ranges (83 of them) one by one for every character the bitmap rejects, so tokenize's pattern costs
# four times this one on a text of spaces and punctuation; on a text without non-BMP characters both find the same.
_BMP_WORD_RE = re.compile("[" + _char_class(tuple((a, min(b, 0xFFFF)) for a, b in TOKEN_RANGES if a <= 0xFFFF)) + "]+")
_NON_BMP = re.compile("[\U00010000-\U0010FFFF]")


def _shingle_words(text: str) -> list[bytes]:
    """``tokenize(text)``, each word UTF-8 encoded: the same words, for a fraction of the CPU.

    Words are cut before folding, then folded together: folding only maps word characters to word characters or
    to nothing and leaves every other character alone (tests/query hold this over the whole table), so each
    word folds to one word of tokenize's or, folded to nothing, to none; joined by spaces (never word
    characters) and folded in one call, the words of a text without curly quotes are ASCII, folded fast.
    """
    if _NON_BMP.search(text):
        return [word.encode("utf-8") for word in tokenize(text)]
    words = " ".join(_BMP_WORD_RE.findall(text)).translate(_FOLD_TABLE).encode("utf-8").split(b" ")
    return words if all(words) else [word for word in words if word]


def _shingle_set(words: list[bytes]) -> set[bytes]:
    """``_runs`` of the words, from their bytes: UTF-8 of words joined by spaces is their UTF-8 joined by spaces."""
    return set(map(b" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)))))


def fingerprints(texts: Sequence[str]) -> list[Fingerprint | None]:
    """One fingerprint per text (None when it is too short to compare), hashed together for speed."""
    words = [_shingle_words(text) for text in texts]  # once per text: cutting words is the dearest step
    sets = [_shingle_set(w) if len(w) >= MIN_WORDS else set() for w in words]
    return [_fingerprint(_minhash(s)) if s else None for s in sets]


def fingerprint(text: str) -> Fingerprint | None:
    return fingerprints([text])[0]


def _minhash(shingle_set: set[bytes]) -> np.ndarray:
    """NUM_PERM minimums of a·h + b mod 2³² over the shingles' 32-bit SHA-1 hashes h, each first mixed by
    MurmurHash3's finalizer (a bijection)."""
    # The first 4 bytes of each 20-byte digest, little-endian: every fifth uint32 of the digests laid end to end.
    digests = b"".join([hashlib.sha1(s).digest() for s in shingle_set])
    hashes = np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint32)
    first, second = _FMIX_MULTIPLIERS
    hashes ^= hashes >> 16
    hashes *= first
    hashes ^= hashes >> 13
    hashes *= second
    hashes ^= hashes >> 16
    a, b = _permutations()
    return (np.outer(hashes, a) + b).min(axis=0)  # uint32: the wrap-around is the mod 2³²


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The NUM_PERM seeded (a, b) pairs, a odd (so each map is a bijection), drawn as datasketch draws them."""
    draw = np.random.RandomState(SEED)
    a = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fingerprint(values: np.ndarray) -> Fingerprint:
    little = values.astype("<u4")  # the same keys on every machine
    keys = tuple(
        f"{band}:{hashlib.blake2b(little[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).hexdigest()}"
        for band in range(BANDS)
    )
    return Fingerprint(signature=tuple(values.tolist()), band_keys=keys)
