"""Reviewing a whole archive of contracts: resumable Parquet results, local or on Dask, and a portfolio view."""

from __future__ import annotations

from clausegen.review.run import ReviewSummary, review  # noqa: F401
