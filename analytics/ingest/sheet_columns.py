"""The columns of a sign-in sheet read by Arrow (templates.read_sign_ins), as the importer's set-based checks use
them (issue 15): each distinct cell resolved once in Python, each row an index into the distinct values, so that
a million rows cost what their few thousand distinct names, dates and statuses cost."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

Value = TypeVar("Value")


# Below this many possible combinations, rows are coded through a table of them rather than a hash (ten times
# faster on a million rows); beyond it, the table would cost more memory than it saves time.
_DENSE = 1 << 24


def _encoded(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """`column` as one dictionary array (read_sign_ins reads the cells so; encoded here otherwise)."""
    if pa.types.is_dictionary(column.type):
        return column.unify_dictionaries().combine_chunks() if column.num_chunks > 1 else column.chunk(0)
    return pc.dictionary_encode(column.combine_chunks())


def blank(column: pa.ChunkedArray) -> bool:
    """Whether every cell of `column` is empty or spaces."""
    return all(not text.strip() for text in _encoded(column).dictionary.to_pylist())


def resolved(column: pa.ChunkedArray,
             resolve: Callable[[str], tuple[Value, str | None]]) -> tuple[list[Value], np.ndarray] | None:
    """The distinct cells of `column`, stripped and resolved, with each row's index into them; None as soon as
    `resolve` refuses one (it returns a value and None, or anything and the reason of a refusal)."""
    encoded = _encoded(column)
    values = []
    for text in encoded.dictionary.to_pylist():
        value, problem = resolve(text.strip())
        if problem is not None:
            return None
        values.append(value)
    return values, encoded.indices.to_numpy(zero_copy_only=False)


def combined(codes: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Rows coded in several columns (indices into each column's distinct values) as one code per distinct
    combination: each row's code, and the combinations as tuples of the columns' indices."""
    sizes = [int(code.max()) + 1 for code in codes]
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code, size in zip(codes, sizes):
        key = key * size + code
    if (space := math.prod(sizes)) <= _DENSE:
        seen = np.zeros(space, dtype=bool)
        seen[key] = True
        uniques = np.flatnonzero(seen)
        code = np.empty(len(seen), dtype=np.int32)
        code[uniques] = np.arange(len(uniques), dtype=np.int32)
        rows = code[key]
    else:
        rows, uniques = pd.factorize(key)
    parts = []
    rest = np.asarray(uniques, dtype=np.int64)
    for size in reversed(sizes):
        rest, part = np.divmod(rest, size)
        parts.append(part.tolist())
    return rows.astype(np.int32), list(zip(*reversed(parts)))


def repeats(first: np.ndarray, first_size: int, second: np.ndarray, second_size: int) -> bool:
    """Whether two rows hold the same pair of codes (`first` below `first_size`, `second` below `second_size`)."""
    key = first.astype(np.int64) * second_size + second
    if first_size * second_size <= _DENSE:
        return bool(np.bincount(key, minlength=1).max() > 1)
    return len(pd.unique(key)) < len(key)


def taken(values: Sequence[object], rows: np.ndarray, kind: pa.DataType) -> pa.Array:
    """Each row's value, from the distinct `values` and the rows' indices into them."""
    return pa.array(values, type=kind).take(pa.array(rows))
