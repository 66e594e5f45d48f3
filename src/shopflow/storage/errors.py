"""Errors storage raises for callers to translate (an API turns NotFoundError into 404, and so on)."""

from __future__ import annotations


class StorageError(Exception):
    """Base of every error storage raises on purpose."""


class NotFoundError(StorageError, LookupError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r}")
        self.what = what
        self.key = key


class AlreadyExistsError(StorageError):
    """A unique value (an e-mail, a key hash) is taken. `code` and `params` as in domain/problems.Problem."""

    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class ConsentRequiredError(StorageError):
    """A face embedding was offered for an employee who has not given (or has withdrawn) consent."""
