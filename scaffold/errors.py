"""One exception hierarchy; each error knows its exit code.

The CLI turns a :class:`ScaffoldError` into one paragraph on stderr and its
exit code, never a traceback. Messages name the bad token and show an
example that works.
"""

from __future__ import annotations


class ScaffoldError(Exception):
    """Base class. ``exit_code`` follows PRODUCT.md: 1 check, 2 input, 3 escalation."""

    exit_code = 2

    def __init__(self, message: str, *, token: str | None = None, example: str | None = None):
        self.message = message
        self.token = token
        self.example = example
        super().__init__(self.render())

    def render(self) -> str:
        text = self.message
        if self.example:
            text += f"\nExample: {self.example}"
        return text


class InputError(ScaffoldError):
    """A bad name, type, value, option or sentence (exit 2)."""


class ProjectError(ScaffoldError):
    """The project is not one we can safely change (exit 2)."""


class ConflictError(ScaffoldError):
    """Files the user changed would be overwritten (exit 1)."""

    exit_code = 1


class CheckFailed(ScaffoldError):
    """A standing-order check found violations (exit 1)."""

    exit_code = 1


class EscalationRequired(ScaffoldError):
    """The change is breaking, destructive or touches security (exit 3)."""

    exit_code = 3

    def __init__(
        self, message: str, *, escalations: list[dict[str, str]] | None = None, **kwargs: str | None
    ):
        self.escalations = list(escalations or [])
        super().__init__(message, **kwargs)

    @classmethod
    def listing(
        cls,
        escalations: list[dict[str, str]],
        *,
        example: str | None = None,
        what: str = "change",
        tail: str = "Nothing was written.",
    ) -> EscalationRequired:
        """The refusal every command prints: each reason with its trigger, then ``tail``."""
        lines = [f"This {what} needs --approve:"]
        lines += [f"  - {e['reason']} (trigger: {e['trigger']})" for e in escalations]
        lines.append(tail)
        return cls(
            "\n".join(lines),
            token=escalations[0]["trigger"],
            example=example,
            escalations=escalations,
        )
