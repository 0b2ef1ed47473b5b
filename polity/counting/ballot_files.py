"""Pick the reader for a ballot file by its extension (``.csv`` is CSV, anything else BLT)."""

from __future__ import annotations

from pathlib import Path

from polity.counting.blt import read_blt
from polity.counting.election import Election
from polity.counting.ranked_csv import read_csv


def read_ballot_file(path: str | Path, *, seats: int | None = None) -> Election:
    """Read BLT or CSV ballots; ``seats`` overrides the file's number of seats."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return read_csv(path, seats=seats or 1)
    election = read_blt(path)
    return election.with_seats(seats) if seats else election
