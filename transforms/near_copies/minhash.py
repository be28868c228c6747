"""Text fingerprints for near-copy detection: normalised content hash, word shingles,
MinHash signatures and LSH band keys, all stable across processes and runs.

Python's ``hash`` is salted per process, so every hash here is built from fixed constants:
words are hashed with a 64-bit polynomial over their code points and a splitmix64 finaliser,
shingles combine their words' hashes, and the MinHash permutations are
multiply-add-shift hashes ``(a * x + b) mod 2**64 >> 32`` (a strongly universal family, and
cheaper than a modulo by a prime). Tokenising included, everything is vectorised with numpy.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np

# Band keys must fit SQLite's signed 64-bit INTEGER: 8 bits of band index, 55 of hash.
BAND_HASH_BITS = 55
MAX_BANDS = 256

_CHAR_BASE = 0x100000001B3
_CHAR_BASE_INVERSE = pow(_CHAR_BASE, -1, 2**64)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Avalanche finaliser: the polynomial sums below are linear, this makes them random."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _odd_constants(count: int, salt: int) -> np.ndarray:
    rng = np.random.Generator(np.random.PCG64(salt))
    return rng.integers(0, 2**64, size=count, dtype=np.uint64) | np.uint64(1)


def _fold_table() -> np.ndarray:
    """Code point -> its NFKC form lowercased, for word characters (letters, digits, marks);
    0 for everything else. A per-character table replaces a whole-text NFKC pass, which
    costs more than all the hashing; marks count as word characters so that Indic and
    Arabic words are not split at their vowel signs."""
    table = np.zeros(0x10000, dtype=np.uint32)
    for point in range(0x10000):
        char = chr(point)
        if unicodedata.category(char)[0] in "LNM":
            folded = unicodedata.normalize("NFKC", char).lower()
            table[point] = ord(folded) if len(folded) == 1 else point
    return table


_FOLD = _fold_table()


class _Powers:
    """Cached powers of the character base and of its inverse, grown on demand."""

    def __init__(self) -> None:
        self.up = np.ones(1, dtype=np.uint64)
        self.down = np.ones(1, dtype=np.uint64)

    def get(self, length: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.up) < length:
            size = max(length, 2 * len(self.up))
            self.up = np.cumprod(np.full(size, _CHAR_BASE, dtype=np.uint64))
            self.up = np.concatenate(([np.uint64(1)], self.up[:-1]))
            self.down = np.cumprod(np.full(size, _CHAR_BASE_INVERSE, dtype=np.uint64))
            self.down = np.concatenate(([np.uint64(1)], self.down[:-1]))
        return self.up[:length], self.down[:length]


_POWERS = _Powers()


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    # Composed and decomposed accents must give the same word; rare, so checked first.
    return unicodedata.normalize("NFC", text)


def _folded_code_points(text: str) -> np.ndarray:
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = _FOLD[np.minimum(points, 0xFFFF)]
    for i in np.flatnonzero(points > 0xFFFF):
        # Rare (emoji, historic scripts): classify them one by one.
        char = chr(int(points[i]))
        folded[i] = points[i] if unicodedata.category(char)[0] in "LNM" else 0
    return folded


def word_hashes_many(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of many texts at once (numpy's per-call cost is paid once per batch,
    not per text): all hashes concatenated, and ``offsets`` so that text ``i``'s words are
    ``hashes[offsets[i]:offsets[i + 1]]``."""
    texts = [_nfc(text) for text in texts]
    # "\n" is not a word character, so no word spans two texts.
    folded = _folded_code_points("\n".join(texts))
    char_starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
    is_word = np.zeros(len(folded) + 2, dtype=np.int8)
    is_word[1:-1] = folded != 0
    edges = is_word[1:] - is_word[:-1]
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    up, down = _POWERS.get(len(folded) + 1)
    prefix = np.zeros(len(folded) + 1, dtype=np.uint64)
    np.cumsum(folded.astype(np.uint64) * up[: len(folded)], out=prefix[1:])
    # (P[end] - P[start]) / base**start: each word hashed as if it began at 0.
    hashes = _splitmix64((prefix[ends] - prefix[starts]) * down[starts])
    owner = np.searchsorted(char_starts, starts, side="right") - 1
    return hashes, np.searchsorted(owner, np.arange(len(texts) + 1))


def word_hashes(text: str) -> np.ndarray:
    """One stable uint64 per word, in text order. A word is a run of letters, digits and
    marks, lowercased: punctuation, quote style and whitespace never reach a hash, so
    straight and curly quotes, line breaks and spacing all compare equal."""
    return word_hashes_many([text])[0]


def words(text: str) -> list[str]:
    """The words ``word_hashes`` sees, as strings (for display and tests)."""
    folded = _folded_code_points(_nfc(text))
    spaced = np.where(folded == 0, np.uint32(32), folded).astype("<u4").tobytes()
    return spaced.decode("utf-32-le").split()


def normalise(text: str) -> str:
    return " ".join(words(text))


def content_hash(hashes: np.ndarray) -> str:
    """Hash of a text's word sequence (from ``word_hashes``): equal for exact copies that
    differ only in case, punctuation, quote style or whitespace; empty for no words."""
    if len(hashes) == 0:
        return ""
    return hashlib.blake2b(hashes.astype("<u8").tobytes(), digest_size=16).hexdigest()


_SHINGLE_CONSTANTS = _odd_constants(64, salt=0x5EED)


def _combine(hashes: np.ndarray, span: int) -> np.ndarray:
    count = len(hashes) - span + 1
    combined = np.zeros(count, dtype=np.uint64)
    for k in range(span):
        combined += hashes[k : k + count] * _SHINGLE_CONSTANTS[k]
    return combined


def shingle_hashes_many(
    hashes: np.ndarray, offsets: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique hashes of each text's word ``size``-grams (a text with fewer words is
    one shingle), concatenated, with offsets as in ``word_hashes_many``."""
    if not 0 < size <= len(_SHINGLE_CONSTANTS):
        raise ValueError(f"Shingle size {size} is out of range; use 1 to 64 words.")
    texts = len(offsets) - 1
    counts = np.diff(offsets)
    owner = np.repeat(np.arange(texts), counts)
    values, owners = [], []
    if len(hashes) >= size:
        combined = _combine(hashes, size)
        # Keep the windows that start and end in the same text.
        inside = owner[: len(combined)] == owner[size - 1 :]
        values.append(combined[inside])
        owners.append(owner[: len(combined)][inside])
    for text in np.flatnonzero((counts > 0) & (counts < size)):
        values.append(_combine(hashes[offsets[text] : offsets[text + 1]], int(counts[text])))
        owners.append(np.array([text]))
    if not values:
        return np.zeros(0, dtype=np.uint64), np.zeros(texts + 1, dtype=np.int64)
    values = _splitmix64(np.concatenate(values))
    owners = np.concatenate(owners)
    # Windows are in text order, short texts come last: sort each text's run on its own,
    # which is cheaper than one lexsort over the batch.
    order = np.argsort(owners, kind="stable")
    values, owners = values[order], owners[order]
    bounds = np.searchsorted(owners, np.arange(texts + 1))
    sets = [np.unique(values[bounds[i] : bounds[i + 1]]) for i in range(texts)]
    sizes = np.array([0] + [len(one) for one in sets])
    return np.concatenate(sets), np.cumsum(sizes)


def shingle_hashes(hashes: np.ndarray, size: int) -> np.ndarray:
    """Sorted unique uint64 hashes of the word ``size``-grams of a text's word hashes
    (the whole text is one shingle when it has fewer than ``size`` words)."""
    return shingle_hashes_many(hashes, np.array([0, len(hashes)]), size)[0]


@dataclass(frozen=True)
class TextPrint:
    """A text's fingerprint: ``content`` hash, sorted unique ``shingles``, LSH ``bands``
    (none for a text without words: it would share every band with every other)."""

    content: str
    shingles: np.ndarray
    bands: tuple[int, ...]


@dataclass(frozen=True)
class MinHasher:
    """``num_perm = bands * rows`` seeded hash functions over shingle hashes; band ``i``'s
    key is ``i << 55 | hash(rows of band i)``, so a key names its band on its own."""

    bands: int
    rows: int
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.bands <= MAX_BANDS or self.rows <= 0:
            raise ValueError(f"Use 1 to {MAX_BANDS} bands of at least one row each.")
        rng = np.random.Generator(np.random.PCG64(self.seed))
        a = rng.integers(0, 2**64, size=self.num_perm, dtype=np.uint64) | np.uint64(1)
        b = rng.integers(0, 2**64, size=self.num_perm, dtype=np.uint64)
        # Frozen dataclass: parameters are derived from the seed, not fields a caller sets.
        object.__setattr__(self, "_a", a.reshape(1, -1))
        object.__setattr__(self, "_b", b.reshape(1, -1))
        object.__setattr__(self, "_row_constants", _odd_constants(self.rows, salt=self.seed + 7))

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def signatures(
        self, shingles: np.ndarray, offsets: np.ndarray, chunk: int = 2048
    ) -> np.ndarray:
        """uint32 MinHash signatures of many shingle sets (laid out as in
        ``shingle_hashes_many``), one row each; an empty set gets all ones."""
        texts = len(offsets) - 1
        result = np.full((texts, self.num_perm), 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        x = (shingles >> np.uint64(32)).reshape(-1, 1)
        buffer = np.empty((chunk, self.num_perm), dtype=np.uint64)
        first = 0
        while first < texts:
            # As many whole texts as fit in one block of ``chunk`` rows, at least one.
            last = max(first + 1, int(np.searchsorted(offsets, offsets[first] + chunk, "right")) - 1)
            low, high = int(offsets[first]), int(offsets[last])
            for start in range(low, high, chunk):
                block = buffer[: min(chunk, high - start)]
                # In place: fresh temporaries of this size cost more than the arithmetic.
                np.multiply(x[start : start + len(block)], self._a, out=block)
                block += self._b
                if last == first + 1:
                    np.minimum(result[first], block.min(axis=0), out=result[first])
                else:
                    filled = first + np.flatnonzero(np.diff(offsets[first : last + 1]) > 0)
                    if len(filled):
                        result[filled] = np.minimum.reduceat(block, offsets[filled] - low, axis=0)
            first = last
        return (result >> np.uint64(32)).astype(np.uint32)

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        return self.signatures(shingles, np.array([0, len(shingles)]))[0]

    def band_keys_many(self, signatures: np.ndarray) -> np.ndarray:
        """Band ``i``'s key is ``i << 55 | hash(rows of band i)``: (texts, bands) uint64."""
        rows = signatures.astype(np.uint64).reshape(len(signatures), self.bands, self.rows)
        mixed = _splitmix64((rows * self._row_constants).sum(axis=2, dtype=np.uint64))
        mask = np.uint64((1 << BAND_HASH_BITS) - 1)
        index = np.arange(self.bands, dtype=np.uint64) << np.uint64(BAND_HASH_BITS)
        return (mixed & mask) | index

    def band_keys(self, signature: np.ndarray) -> list[int]:
        return self.band_keys_many(signature.reshape(1, -1))[0].tolist()

    def prints(self, texts: Sequence[str], shingle_size: int) -> list[TextPrint]:
        """Fingerprints of many texts, vectorised across the batch."""
        words, word_offsets = word_hashes_many(texts)
        shingles, offsets = shingle_hashes_many(words, word_offsets, shingle_size)
        keys = self.band_keys_many(self.signatures(shingles, offsets)).tolist()
        return [
            TextPrint(
                content_hash(words[word_offsets[i] : word_offsets[i + 1]]),
                shingles[offsets[i] : offsets[i + 1]],
                tuple(keys[i]) if offsets[i + 1] > offsets[i] else (),
            )
            for i in range(len(texts))
        ]


def overlap(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0
    return int(np.intersect1d(a, b, assume_unique=True).size)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """|A ∩ B| / min(|A|, |B|): 1.0 when the shorter text is wholly inside the longer one,
    which is what a truncated or cut reprint looks like."""
    smaller = min(len(a), len(b))
    return overlap(a, b) / smaller if smaller else 0.0


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = overlap(a, b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0
