"""A value a person gave that cannot be used, said so that every door can put it in the reader's language.

The message is the English sentence the API and the CLI answer with. `code` names the problem and `params` hold
its details (a number, a name), so the dashboard words it from its own catalogue (web/problems.py) instead of
showing English inside Portuguese. A problem without a code is shown there as a general "check what you typed".
"""

from __future__ import annotations


class InputError(ValueError):
    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params
