"""Domain errors. Views and the API translate them; services raise them."""


class DomainError(Exception):
    """A rule of the organisation refused the action. The message says which rule, in words."""

    code = "refused"


class NotVisible(DomainError):
    """The object does not exist or the actor may not see it: both answer the same (404)."""

    code = "not_found"


class Forbidden(DomainError):
    """The actor may see the object but not do this to it (403)."""

    code = "forbidden"


class InvalidInput(DomainError):
    """The input is malformed; the message names what and where."""

    code = "invalid"
