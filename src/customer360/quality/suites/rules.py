"""The business rules the mart suites check against: the value sets of the rules seeds
and the thresholds (dbt vars)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def read_seed(project: Path, name: str) -> list[dict[str, str]]:
    with (project / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Rules:
    """The value sets of the rules seeds and the thresholds (dbt vars) the marts use."""

    rfm_segments: tuple[str, ...]
    personas: tuple[str, ...]
    tiers: tuple[str, ...]
    risk_bands: tuple[tuple[str, float, bool], ...]  # (band, min_probability, inclusive)
    thresholds: dict[str, Any]

    @classmethod
    def load(cls, project: Path, thresholds: dict[str, Any]) -> Rules:
        bands = (
            (
                row["risk_band"],
                float(row["min_probability"]),
                row["is_min_inclusive"].strip().lower() == "true",
            )
            for row in read_seed(project, "churn_risk_bands")
        )
        return cls(
            rfm_segments=tuple(row["rfm_segment"] for row in read_seed(project, "rfm_segments")),
            personas=tuple(row["persona"] for row in read_seed(project, "segment_personas")),
            tiers=tuple(row["tier"] for row in read_seed(project, "loyalty_tiers")),
            risk_bands=tuple(sorted(bands, key=lambda band: band[1])),
            thresholds=thresholds,
        )

    def var(self, name: str) -> Any:
        return self.thresholds[name]
