"""Vote counting: a plain library (no Django) that counts ballots by published rules.

Entry points: :func:`read_ballot_file` to load BLT or CSV ballots, :func:`count` to run a method,
and the renderers in :mod:`polity.counting.render_text`, :mod:`~polity.counting.render_json` and
:mod:`~polity.counting.render_svg`.
"""

