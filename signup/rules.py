"""What every rules module shares: one exception type that says, in words, why a rule said no."""

from collections.abc import Mapping


class RuleError(Exception):
    """A rule said no; `message` says why in the reader's language.

    Subclasses name their `messages`: lazily translated strings with named placeholders, or
    callables that take the parameters (for plurals).
    """

    messages: Mapping = {}

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def message_params(self) -> dict:
        return self.params

    @property
    def message(self) -> str:
        text = self.messages[self.code]
        if callable(text):
            return text(**self.params)
        params = self.message_params()
        return str(text) % params if params else str(text)
