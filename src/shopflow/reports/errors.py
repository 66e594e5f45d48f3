"""Errors the analytics services raise on purpose; the API maps them to HTTP statuses (422, 503)."""

from __future__ import annotations

from shopflow.domain.problems import InputError


class ReportError(Exception):
    """Base of every error the reports layer raises on purpose."""


class InvalidRangeError(ReportError, InputError):
    """A date range the caller must fix: inverted, too long, or otherwise unusable."""


class AnalyticsUnavailableError(ReportError):
    """The analytics store (the database) did not answer."""
