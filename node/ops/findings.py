"""What each `commonground doctor` check returns: a level, the check's name, a message, a fix."""

from __future__ import annotations

from dataclasses import dataclass

OK, WARN, FAIL = "OK", "WARN", "FAIL"


@dataclass(frozen=True)
class Finding:
    level: str
    check: str
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.level:<4} {self.check}: {self.message}"
        return f"{text}\n     -> {self.fix}" if self.fix else text
