"""Stage 1 of the pipeline: the C preprocessor over a `.S` file, with a *profile*.

bbmcheck runs the system C preprocessor (GCC's ``cpp``, in assembler-with-cpp mode)
exactly as a kernel build would, but with the project's own headers instead of the
project's real ones:

* ``-undef -nostdinc``: none of the host's predefined macros (``__x86_64__``,
  ``__linux__``, ``__GNUC__`` ...) and none of its system headers leak in;
* the target's predefined macros are defined explicitly (``__aarch64__``,
  ``__AARCH64EL__``, ``__LP64__``, ``__ASSEMBLY__``, ...; cpp adds
  ``__ASSEMBLER__`` itself);
* a *profile* (``grammar/profiles/<name>/profile.toml``) adds its include
  directory, its defines (e.g. the kernel configuration) and its force-included
  headers, and a default set of CPU capabilities;
* the user's ``-I`` directories and ``-D`` defines come first, so they override
  the profile's.

The output keeps cpp's linemarkers (``# 12 "file.S" 2``) so that every line maps
back to the file and line it came from; the gas front end reads them.

Capabilities (``--cap NAME``) are passed to the profile headers as one macro,
``BBM_CAPABILITIES``, a comma-separated list that the ``alternative_*`` macros test
with ``.irp``/``.ifc``.

Macros that move between headers and ``.S`` files across kernel versions (e.g.
``pte_to_phys`` moved into proc.S in v6.9) are handled without knowing the
version: every gas macro in a profile header is guarded by
``#ifndef __BBM_USER_MACRO_<name>``.  ``preprocess`` runs cpp once, finds the
``.macro`` definitions that come from the user's own files, and when one of them
has the name of a profile macro it runs cpp again with that guard defined, so the
file's own definition is the only one.

Errors (a missing include, ``#error``, no cpp on the machine, a bad profile) are
raised as :class:`bbmcheck.errors.FrontEndError` with the file and line.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from bbmcheck.errors import FrontEndError

__all__ = [
    "Preprocessed", "Profile", "preprocess", "preprocess_string", "list_profiles",
    "load_profile", "PROFILES_DIR", "DEFAULT_PROFILE", "BASE_DEFINES",
]

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "linux-arm64-4k-48"

# What an aarch64 GCC predefines that assembly sources test, plus __ASSEMBLY__,
# the convention of Linux, Xen, U-Boot, TF-A and others for "this is assembly".
# cpp defines __ASSEMBLER__ by itself in assembler-with-cpp mode, even with -undef.
BASE_DEFINES: dict[str, str | None] = {
    "__aarch64__": "1",
    "__AARCH64EL__": "1",
    "__ARM_64BIT_STATE": "1",
    "__ARM_ARCH": "8",
    "__LP64__": "1",
    "_LP64": "1",
    "__CHAR_BIT__": "8",
    "__SIZEOF_INT__": "4",
    "__SIZEOF_LONG__": "8",
    "__SIZEOF_LONG_LONG__": "8",
    "__SIZEOF_POINTER__": "8",
    "__ORDER_LITTLE_ENDIAN__": "1234",
    "__ORDER_BIG_ENDIAN__": "4321",
    "__BYTE_ORDER__": "__ORDER_LITTLE_ENDIAN__",
    "__ASSEMBLY__": "1",
}

CAPABILITIES_MACRO = "BBM_CAPABILITIES"
USER_MACRO_GUARD = "__BBM_USER_MACRO_"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LINEMARKER = re.compile(r'#\s*(\d+)\s+"((?:[^"\\]|\\.)*)"((?:\s+\d+)*)\s*$')
_MACRO_DEF = re.compile(r"^\s*(?:[A-Za-z_.$][\w.$]*:\s*)?\.macro\s+([A-Za-z_.$][\w.$]*)")
_DIAG = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<col>\d+))?:\s*"
    r"(?P<kind>fatal error|error|warning|note):\s*(?P<msg>.*)$")
_INCLUDED_FROM = re.compile(r"^(?:In file included|\s+) from (?P<file>.+?):(?P<line>\d+)[:,]?$")
_CPP_TIMEOUT_S = 60


# ----------------------------------------------------------------------------- results

@dataclass
class Preprocessed:
    """The preprocessed text of one source file.

    text: cpp's output with linemarkers (``# <line> "<file>" <flags>``), so that
        every line maps back to file:line.
    path: the source file as given (or the name given to preprocess_string).
    profile: the profile's name, or None.
    defines: everything that was -D'd: base target macros, profile, capabilities
        (as BBM_CAPABILITIES), user defines and macro guards; value None means a
        bare ``-D NAME``.
    capabilities: the capabilities that were present (profile defaults + user).
    include_dirs: the -I directories, in search order (user first, then profile).
    warnings: cpp's warnings, as "file:line: warning: message".
    """
    text: str
    path: str
    profile: str | None
    defines: dict[str, str | None]
    capabilities: tuple[str, ...] = ()
    include_dirs: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """A loaded profile, with everything inherited from its bases merged in."""
    name: str
    description: str
    include_dirs: tuple[str, ...]          # search order: most specific first
    defines: dict[str, str | None]         # base first, most specific last
    capabilities: tuple[str, ...]
    force_include: tuple[str, ...]         # paths, resolved
    abstract: bool = False
    chain: tuple[str, ...] = ()            # this profile, then its bases


# ----------------------------------------------------------------------------- profiles

def list_profiles() -> list[str]:
    """The names of the profiles one can use (abstract bases are left out)."""
    names = []
    if PROFILES_DIR.is_dir():
        for d in sorted(PROFILES_DIR.iterdir()):
            toml = d / "profile.toml"
            if toml.is_file():
                try:
                    if not _read_toml(toml).get("abstract", False):
                        names.append(d.name)
                except FrontEndError:
                    continue
    return names


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        raise FrontEndError(f"invalid profile file: {e}", file=str(path), line=line) from None
    except OSError as e:
        raise FrontEndError(f"cannot read profile file: {e.strerror}", file=str(path)) from None


def load_profile(name: str) -> Profile:
    """Load a profile by name, following ``inherits``."""
    return _load_profile(name, ())


def _load_profile(name: str, seen: tuple[str, ...]) -> Profile:
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
        raise FrontEndError(f"invalid profile name {name!r}")
    if name in seen:
        raise FrontEndError(f"profile inheritance cycle: {' -> '.join(seen + (name,))}")
    pdir = PROFILES_DIR / name
    toml = pdir / "profile.toml"
    if not toml.is_file():
        avail = ", ".join(list_profiles()) or "none"
        raise FrontEndError(f"unknown profile {name!r} (available: {avail})")
    data = _read_toml(toml)
    where = str(toml)

    def _strs(key: str) -> list[str]:
        val = data.get(key, [])
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
            raise FrontEndError(f"'{key}' must be a list of strings", file=where)
        return val

    base: Profile | None = None
    inherits = data.get("inherits")
    if inherits is not None:
        if not isinstance(inherits, str):
            raise FrontEndError("'inherits' must be a profile name", file=where)
        base = _load_profile(inherits, seen + (name,))

    own_inc = []
    for rel in _strs("include"):
        d = (pdir / rel).resolve()
        if not d.is_dir():
            raise FrontEndError(f"include directory {rel!r} does not exist", file=where)
        own_inc.append(str(d))

    raw_defs = data.get("defines", {})
    if not isinstance(raw_defs, dict):
        raise FrontEndError("'[defines]' must be a table", file=where)
    own_defs: dict[str, str | None] = {}
    for k, v in raw_defs.items():
        if not _IDENT.match(k):
            raise FrontEndError(f"invalid macro name {k!r} in [defines]", file=where)
        if v is True:
            v = "1"
        elif isinstance(v, bool) or v is None:
            raise FrontEndError(f"define {k}: use a string value (or remove it)", file=where)
        elif isinstance(v, int):
            v = str(v)
        elif not isinstance(v, str):
            raise FrontEndError(f"define {k}: value must be a string", file=where)
        own_defs[k] = v

    caps = _strs("capabilities")
    for c in caps:
        if not _IDENT.match(c):
            raise FrontEndError(f"invalid capability name {c!r}", file=where)

    inc_dirs = tuple(own_inc) + (base.include_dirs if base else ())
    force = []
    for rel in _strs("force_include"):
        for d in inc_dirs:
            cand = Path(d) / rel
            if cand.is_file():
                force.append(str(cand))
                break
        else:
            raise FrontEndError(f"force_include {rel!r} not found in the profile's include "
                                f"directories", file=where)
    defines = dict(base.defines) if base else {}
    defines.update(own_defs)
    capabilities = tuple(dict.fromkeys((base.capabilities if base else ()) + tuple(caps)))
    desc = data.get("description", "")
    if not isinstance(desc, str):
        raise FrontEndError("'description' must be a string", file=where)
    return Profile(
        name=name, description=desc, include_dirs=inc_dirs, defines=defines,
        capabilities=capabilities,
        force_include=tuple(dict.fromkeys((base.force_include if base else ()) + tuple(force))),
        abstract=bool(data.get("abstract", False)),
        chain=(name,) + (base.chain if base else ()))


# ----------------------------------------------------------------------------- cpp

def _find_cpp() -> list[str]:
    """The command that runs the C preprocessor.

    $BBMCHECK_CPP (a command line, e.g. "aarch64-linux-gnu-cpp") if set, else
    ``cpp``, else ``aarch64-linux-gnu-cpp``, else ``gcc -E``.
    """
    env = os.environ.get("BBMCHECK_CPP")
    if env:
        cmd = shlex.split(env)
        if cmd and shutil.which(cmd[0]):
            return cmd
        raise FrontEndError(f"BBMCHECK_CPP={env!r}: command not found")
    for cand in (["cpp"], ["aarch64-linux-gnu-cpp"], ["gcc", "-E"]):
        if shutil.which(cand[0]):
            return cand
    raise FrontEndError("the C preprocessor was not found: install GCC's cpp "
                        "(Debian package 'cpp') or set BBMCHECK_CPP")


def _define_arg(name: str, value: str | None) -> str:
    return f"-D{name}" if value is None else f"-D{name}={value}"


def _check_defines(defines: Mapping[str, str | None], what: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for k, v in defines.items():
        if not isinstance(k, str) or not _IDENT.match(k):
            raise FrontEndError(f"invalid {what} macro name {k!r}")
        if v is not None and not isinstance(v, str):
            v = str(v)
        if v is not None and ("\n" in v or "\r" in v):
            raise FrontEndError(f"the value of {k} must be on one line")
        out[k] = v
    return out


@dataclass
class _Setup:
    cmd_prefix: list[str]
    defines: dict[str, str | None]
    include_dirs: tuple[str, ...]
    force_include: tuple[str, ...]
    capabilities: tuple[str, ...]
    profile_dirs: tuple[str, ...]
    undefines: tuple[str, ...]


def _setup(profile: str | None, include_dirs: Sequence[str], defines: Mapping[str, str | None],
           capabilities: Iterable[str], undefines: Iterable[str]) -> _Setup:
    prof = load_profile(profile) if profile is not None else None
    if prof is not None and prof.abstract:
        raise FrontEndError(f"profile {profile!r} is an abstract base; use one of: "
                            f"{', '.join(list_profiles())}")
    if isinstance(capabilities, str):
        capabilities = [capabilities]
    caps = list(prof.capabilities) if prof else []
    for c in capabilities:
        c = c.strip() if isinstance(c, str) else c
        if not isinstance(c, str) or not _IDENT.match(c):
            raise FrontEndError(f"invalid capability name {c!r}")
        if c not in caps:
            caps.append(c)
    if isinstance(include_dirs, str):
        include_dirs = [include_dirs]
    user_inc = []
    for d in include_dirs:
        if not isinstance(d, str) or not d:
            raise FrontEndError(f"invalid include directory {d!r}")
        if not os.path.isdir(d):
            raise FrontEndError(f"include directory {d!r} does not exist")
        user_inc.append(d)
    if isinstance(undefines, str):
        undefines = [undefines]
    undef = []
    for u in undefines:
        if not isinstance(u, str) or not _IDENT.match(u):
            raise FrontEndError(f"invalid macro name to undefine {u!r}")
        undef.append(u)

    merged: dict[str, str | None] = dict(BASE_DEFINES)
    if prof:
        merged.update(prof.defines)
    merged[CAPABILITIES_MACRO] = ",".join(caps)
    merged.update(_check_defines(defines, "-D"))
    for u in undef:
        merged.pop(u, None)
    prof_dirs = prof.include_dirs if prof else ()
    return _Setup(
        cmd_prefix=_find_cpp(), defines=merged,
        include_dirs=tuple(user_inc) + tuple(prof_dirs),
        force_include=prof.force_include if prof else (),
        capabilities=tuple(caps), profile_dirs=tuple(prof_dirs),
        undefines=tuple(undef))


def _cpp_argv(s: _Setup, extra_defines: Mapping[str, str | None], source: str) -> list[str]:
    argv = list(s.cmd_prefix) + [
        "-x", "assembler-with-cpp", "-undef", "-nostdinc"]
    for k, v in s.defines.items():
        argv.append(_define_arg(k, v))
    for k, v in extra_defines.items():
        argv.append(_define_arg(k, v))
    for d in s.include_dirs:
        argv.append(f"-I{d}")
    for f in s.force_include:
        argv += ["-include", f]
    argv.append(source)
    return argv


def _run_cpp(argv: list[str], stdin: str | None, display: str) -> tuple[str, list[str]]:
    """Run cpp; return (stdout, warnings) or raise FrontEndError for its errors."""
    data = None
    if stdin is not None:
        try:
            data = stdin.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = stdin.encode("utf-8", "replace")
    try:
        proc = subprocess.run(
            argv, input=data,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True, timeout=_CPP_TIMEOUT_S)
    except FileNotFoundError:
        raise FrontEndError(f"cannot run the C preprocessor {argv[0]!r}: not found",
                            file=display) from None
    except subprocess.TimeoutExpired:
        raise FrontEndError(f"the C preprocessor took longer than {_CPP_TIMEOUT_S} s "
                            f"(recursive #include?)", file=display) from None
    except OSError as e:
        raise FrontEndError(f"cannot run the C preprocessor: {e}", file=display) from None
    out = proc.stdout.decode("utf-8", "surrogateescape")
    err = proc.stderr.decode("utf-8", "replace")
    warnings, errors = _parse_diagnostics(err)
    if proc.returncode != 0 or errors:
        if errors:
            file, line, msg = errors[0]
            more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
            raise FrontEndError(msg + more, file=file, line=line)
        text = err.strip() or f"exit status {proc.returncode}"
        raise FrontEndError(f"the C preprocessor failed: {text}", file=display)
    return out, warnings


def _parse_diagnostics(stderr: str) -> tuple[list[str], list[tuple[str, int, str]]]:
    """cpp's stderr -> (warnings as text, errors as (file, line, message))."""
    warnings: list[str] = []
    errors: list[tuple[str, int, str]] = []
    included: list[str] = []
    for raw in stderr.splitlines():
        m_inc = _INCLUDED_FROM.match(raw)
        if m_inc:
            included.append(f"{m_inc['file']}:{m_inc['line']}")
            continue
        m = _DIAG.match(raw)
        if not m:
            continue
        kind, file, line, msg = m["kind"], m["file"], int(m["line"]), m["msg"].strip()
        if included:
            msg += " (included from " + ", ".join(included) + ")"
        included = []
        if kind in ("error", "fatal error"):
            errors.append((file, line, msg))
        elif kind == "warning":
            warnings.append(f"{file}:{line}: warning: {msg}")
    return warnings, errors


# ----------------------------------------------------------------------------- guards

def _macro_origins(text: str, profile_dirs: Sequence[str]) -> tuple[set[str], set[str]]:
    """Names of gas macros defined in the output: (by the user's files, by the profile).

    A line's origin is read from the linemarkers; a line comes from the profile
    when its file is inside one of the profile's include directories.
    """
    prof_roots = tuple(os.path.join(os.path.realpath(d), "") for d in profile_dirs)
    user: set[str] = set()
    prof: set[str] = set()
    in_profile = False
    for line in text.splitlines():
        if line.startswith("#"):
            m = _LINEMARKER.match(line)
            if m:
                fname = m.group(2)
                in_profile = bool(prof_roots) and not fname.startswith("<") and \
                    os.path.realpath(fname).startswith(prof_roots)
            continue
        if ".macro" not in line:
            continue
        for stmt in line.split(";"):
            m = _MACRO_DEF.match(stmt)
            if m:
                (prof if in_profile else user).add(m.group(1))
    return user, prof


# ----------------------------------------------------------------------------- API

def preprocess(path: str, *, profile: str | None = DEFAULT_PROFILE,
               include_dirs: Sequence[str] = (), defines: Mapping[str, str | None] = {},
               capabilities: Iterable[str] = (), undefines: Iterable[str] = ()) -> Preprocessed:
    """Preprocess the assembly source file `path` with `profile`.

    include_dirs: user -I directories, searched before the profile's.
    defines: user -D NAME[=VALUE] (None: bare -D NAME), overriding the profile's.
    capabilities: CPU capabilities to treat as present (in addition to the
        profile's defaults); every other capability is absent.
    undefines: macros to remove from the profile's defines (e.g. a CONFIG_*).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise FrontEndError(f"invalid source path {path!r}")
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FrontEndError("no such file", file=path)
    if os.path.isdir(path):
        raise FrontEndError("is a directory, not a source file", file=path)
    if not os.access(path, os.R_OK):
        raise FrontEndError("cannot read the file (permission denied)", file=path)
    if profile == "auto":
        from .profile_guess import guess_profile
        profile = guess_profile(path)[0]
    setup = _setup_for(path, profile, include_dirs, defines, capabilities, undefines)
    return _preprocess(setup, path, None, path, profile)


def preprocess_string(text: str, filename: str = "<string>", *,
                      profile: str | None = DEFAULT_PROFILE,
                      include_dirs: Sequence[str] = (),
                      defines: Mapping[str, str | None] = {},
                      capabilities: Iterable[str] = (),
                      undefines: Iterable[str] = ()) -> Preprocessed:
    """Like :func:`preprocess` for source text; lines are reported as `filename`:N.

    A quoted ``#include "x.h"`` is searched in the current directory first.
    """
    if not isinstance(text, str):
        raise FrontEndError("source text must be a string", file=filename)
    if not isinstance(filename, str) or not filename or any(c in filename for c in '"\n\r\\'):
        raise FrontEndError(f"invalid file name {filename!r}")
    setup = _setup_for(filename, profile, include_dirs, defines, capabilities, undefines)
    stdin = f'#line 1 "{filename}"\n' + text
    if not stdin.endswith("\n"):
        stdin += "\n"
    return _preprocess(setup, "-", stdin, filename, profile)


def _setup_for(display: str, *args) -> _Setup:
    """_setup, with errors that have no location attributed to the source file."""
    try:
        return _setup(*args)
    except FrontEndError as e:
        if e.file is None and e.loc is None:
            e.file = display
        raise


def _preprocess(setup: _Setup, source: str, stdin: str | None, display: str,
                profile: str | None) -> Preprocessed:
    out, warnings = _run_cpp(_cpp_argv(setup, {}, source), stdin, display)
    guards: dict[str, str | None] = {}
    if setup.profile_dirs:
        user, prof = _macro_origins(out, setup.profile_dirs)
        clash = sorted(n for n in user & prof if _IDENT.match(n))
        if clash:
            guards = {USER_MACRO_GUARD + n: None for n in clash}
            out, warnings = _run_cpp(_cpp_argv(setup, guards, source), stdin, display)
    if stdin is not None:
        out = _fix_stdin_markers(out, display)
    defines = dict(setup.defines)
    defines.update(guards)
    return Preprocessed(text=out, path=display, profile=profile, defines=defines,
                        capabilities=setup.capabilities, include_dirs=setup.include_dirs,
                        warnings=warnings)


def _fix_stdin_markers(text: str, display: str) -> str:
    """cpp names standard input "<stdin>" in the first linemarkers; the #line we
    prepend renames it right after.  Rename those few too, for consistency."""
    quoted = display.replace("\\", "\\\\").replace('"', '\\"')
    return re.sub(r'^(#\s*\d+\s+)"<stdin>"', lambda m: f'{m.group(1)}"{quoted}"', text,
                  flags=re.M)
