"""The front end: an assembly source file in, a laid-out Program out.

    load_program(path, profile=..., include_dirs=(), defines={}, capabilities=())
        C preprocessor with the profile (grammar/preprocess.py), then assemble.
    assemble_string(text, filename="<string>")
        assemble text as is (no preprocessor): tests, litmus front ends.
    assemble_preprocessed(text, filename)
        assemble the preprocessor's output (linemarkers give file:line).
    entry_routine(program, name)
        a Routine for any label: a function symbol's own routine, or a label inside
        code, from the label to the end of the routine containing it (else to the next
        function symbol or the end of the section).
"""
from __future__ import annotations

import os

from ..errors import FrontEndError
from .gas import Assembler, build_routines, make_routine
from .program import Program, Routine

DEFAULT_PROFILE = "linux-arm64-4k-48"


def assemble_preprocessed(text: str, filename: str, *, include_dirs=()) -> Program:
    """Assemble cpp output (or any gas source) into a laid-out Program."""
    base = os.path.dirname(filename) if filename and not filename.startswith("<") else None
    asm = Assembler(filename, include_dirs=include_dirs, base_dir=base)
    asm.run_text(text, filename)
    return asm.finish()


def assemble_string(text: str, filename: str = "<string>") -> Program:
    """Assemble GNU as source text without preprocessing."""
    return assemble_preprocessed(text, filename)


def load_program(path, *, profile: str = DEFAULT_PROFILE, include_dirs=(), defines=None,
                 capabilities=(), undefines=(), extra_files=()) -> Program:
    """Preprocess `path` with `profile` ("auto": guessed from the file, see
    grammar/profile_guess.py), assemble, lay out.  `extra_files` are assembled with it
    as one program (one preprocessor run over all of them, in order, so headers they
    share are read once), e.g. a routine and the file of a routine it calls."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FrontEndError(f"no such file: {path}", file=path)
    if extra_files:
        return _load_several(path, [os.fspath(f) for f in extra_files], profile=profile,
                             include_dirs=include_dirs, defines=defines,
                             capabilities=capabilities, undefines=undefines)
    try:
        from .preprocess import preprocess
    except ImportError as e:  # pragma: no cover - the preprocessor stage is missing
        raise FrontEndError(f"the preprocessor is not available ({e})", file=path) from None
    from .profile_guess import resolve_profile
    profile, _why = resolve_profile(profile, path)
    pp = preprocess(path, profile=profile, include_dirs=tuple(include_dirs),
                    defines=dict(defines or {}), capabilities=tuple(capabilities),
                    undefines=tuple(undefines))
    prog = assemble_preprocessed(pp.text, path, include_dirs=include_dirs)
    prog.profile = profile
    prog.defines = {str(k): str(v) for k, v in (defines or {}).items()}
    return prog


def _load_several(path, extra, *, profile, include_dirs, defines, capabilities, undefines):
    import tempfile
    from .preprocess import preprocess
    from .profile_guess import resolve_profile
    for f in extra:
        if not os.path.isfile(f):
            raise FrontEndError(f"no such file: {f}", file=path)
    profile, _why = resolve_profile(profile, path)
    with tempfile.TemporaryDirectory(prefix="bbmcheck-") as d:
        wrapper = os.path.join(d, "files.S")
        with open(wrapper, "w", encoding="utf-8") as fh:
            for f in [path] + extra:
                fh.write(f'#include "{os.path.abspath(f)}"\n')
        pp = preprocess(wrapper, profile=profile, include_dirs=tuple(include_dirs),
                        defines=dict(defines or {}), capabilities=tuple(capabilities),
                        undefines=tuple(undefines))
    prog = assemble_preprocessed(pp.text, path, include_dirs=include_dirs)
    prog.profile = profile
    prog.defines = {str(k): str(v) for k, v in (defines or {}).items()}
    prog.extra_files = list(extra)
    return prog


def entry_routine(prog: Program, name: str) -> Routine:
    """The routine that starts at label `name` (see module doc)."""
    r = prog.routines.get(name)
    if r is not None:
        return r
    sym = prog.symbols.get(name)
    if sym is None or sym.section is None:
        known = ", ".join(sorted(prog.routines)) or "none"
        raise FrontEndError(f"no label `{name}` in {prog.file} (routines: {known})",
                            file=prog.file)
    end = None
    for r in prog.routines.values():
        if r.section == sym.section and r.start <= sym.offset < r.end:
            end = r.end
            break
    if end is None:
        end = prog.sections[sym.section].size
        for r in prog.routines.values():
            if r.section == sym.section and r.start > sym.offset:
                end = min(end, r.start)
    return make_routine(prog, name, sym.section, sym.offset, end, sym.loc)


__all__ = ["load_program", "assemble_string", "assemble_preprocessed", "entry_routine",
           "build_routines", "DEFAULT_PROFILE"]
