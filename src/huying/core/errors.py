"""Business errors carry their HTTP status and a message for the user.

Services raise these; the API and the pages turn them into 404/409/422 responses.
A 500 is always a bug.
"""


class BusinessError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(BusinessError):
    status = 404


class Conflict(BusinessError):
    status = 409


class Invalid(BusinessError):
    status = 422


class Unauthorized(BusinessError):
    status = 401


class Forbidden(BusinessError):
    status = 403
