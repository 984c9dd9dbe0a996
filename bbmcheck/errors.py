"""Errors the user can act on.  Every stage raises these (never a bare exception for
bad input); the CLI prints them as `file:line: error: message` plus the macro chain
and exits with status 2."""
from __future__ import annotations


class BbmError(Exception):
    """An error in the user's input, with a source location when one is known.

    loc: a grammar.program.SourceLoc, or None.
    file/line: used when there is no SourceLoc (e.g. a spec file line).
    """

    def __init__(self, message: str, loc=None, *, file: str | None = None,
                 line: int | None = None):
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.file = file
        self.line = line

    def render(self) -> str:
        import os
        if self.loc is not None:
            head = f"{self.loc.file}:{self.loc.line}"
            chain = "".join(f"\n  in macro {f.name} invoked at {f.file}:{f.line}"
                            for f in self.loc.expansion)
            return f"{head}: error: {self.message}{chain}"
        if self.file is not None:
            where = f"{self.file}:{self.line}" if self.line else self.file
            return f"{where}: error: {self.message}"
        return f"error: {self.message}"

    def __str__(self) -> str:
        return self.render()


class FrontEndError(BbmError):
    """Preprocessing, syntax, macro or expression errors."""


class SpecError(BbmError):
    """An invalid scenario/spec file."""


class ModelError(BbmError):
    """The model cannot handle the input (e.g. a symbolic indirect branch)."""
