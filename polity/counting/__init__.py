"""Vote counting: a plain library (no Django) that counts ballots by published rules.

Entry points: :func:`read_ballot_file` to load BLT or CSV ballots, :func:`count` to run a method,
and the renderers in :mod:`polity.counting.render_text`, :mod:`~polity.counting.render_json` and
:mod:`~polity.counting.render_svg`.
"""

from polity.counting.ballot_files import read_ballot_file
from polity.counting.blt import parse_blt, read_blt, write_blt
from polity.counting.constraints import GroupMinimum
from polity.counting.election import Election
from polity.counting.errors import BallotFileError, CountError
from polity.counting.methods import METHODS, count
from polity.counting.ranked_csv import read_csv, write_csv
from polity.counting.result import CountResult, Stage
from polity.counting.ties import TieBreak

__all__ = [
    "METHODS",
    "BallotFileError",
    "CountError",
    "CountResult",
    "Election",
    "GroupMinimum",
    "Stage",
    "TieBreak",
    "count",
    "parse_blt",
    "read_ballot_file",
    "read_blt",
    "read_csv",
    "write_blt",
    "write_csv",
]
