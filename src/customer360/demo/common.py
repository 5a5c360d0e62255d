"""What every demo entity shares: the window of time, the stores and the shopping
hours, and the builders of ids and Arrow columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

START = np.datetime64("2023-01-01T00:00:00", "s")
WINDOW_DAYS = 1096  # 2023-01-01 .. 2025-12-31
DAY = 86_400  # seconds
GLOBAL_STREAM = 2**31  # rng streams of the shared tables; chunk numbers stay far below
STORES = 10
# Relative weight of each hour of the day, for online orders and web sessions.
# fmt: off
ONLINE_HOURS = [1.0, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.2, 2.8, 3.0, 3.2, 3.5, 3.3, 3.1, 3.0,
                3.1, 3.4, 3.9, 4.5, 5.0, 4.6, 3.5, 2.0]
# fmt: on


def day_of(date: str) -> int:
    return int((np.datetime64(date, "D") - START.astype("datetime64[D]")).astype(int))


def numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Ids like C0000001: the prefix and the zero-padded number."""
    return np.char.add(prefix, zero_padded(numbers, width))


def zero_padded(numbers: np.ndarray, width: int) -> np.ndarray:
    if len(numbers) == 0:  # np.char.zfill fails on an empty array
        return np.array([], dtype=str)
    return np.char.zfill(numbers.astype(str), width)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since 2023-01-01 as an Arrow timestamp array."""
    return pa.array(START + seconds.astype("timedelta64[s]"), pa.timestamp("us"))


def dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    values = START.astype("datetime64[D]") + days.astype("timedelta64[D]")
    return pa.array(values, pa.date32(), mask=mask)


def money(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.round(values, 2), mask=mask).cast(pa.decimal128(18, 4))


def position_in_group(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each run of np.repeat(..., counts)."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum())) - starts
