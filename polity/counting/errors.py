"""Errors raised by the counting library."""


class BallotFileError(ValueError):
    """A ballot file cannot be read; nothing is counted from it.

    ``str(error)`` reads ``file:line: message`` (the line is omitted when the fault is not on one line).
    """

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class CountError(ValueError):
    """A count cannot be run as asked (e.g. more seats than candidates)."""
