"""Human and machine output. With ``--json`` the JSON goes to stdout and prose to stderr."""

from __future__ import annotations

import json
import sys

from scaffold.project.files import unified_diff
from scaffold.project.outcome import Outcome
from scaffold.report.document import outcome_json


class Printer:
    def __init__(self, *, json_mode: bool = False, quiet: bool = False):
        self.json_mode = json_mode
        self.quiet = quiet

    def say(self, text: str = "") -> None:
        if self.quiet:
            return
        print(text, file=sys.stderr if self.json_mode else sys.stdout)

    def error(self, text: str) -> None:
        print(text, file=sys.stderr)

    def changes(self, outcome: Outcome, *, diffs: bool = False) -> None:
        for change in outcome.visible:
            line = f"{change.status:>10}  {change.path}"
            if change.reason and change.status in ("conflict", "force", "skip", "update"):
                line += f"  ({change.reason})"
            self.say(line)
            if diffs and change.writes:
                diff = unified_diff(change)
                if diff:
                    self.say(diff.rstrip("\n"))

    def finish(self, outcome: Outcome) -> None:
        if outcome.notes:
            self.say("")
            for note in outcome.notes:
                self.say(note)
        if self.json_mode:
            print(json.dumps(outcome_json(outcome), indent=2, default=str))
