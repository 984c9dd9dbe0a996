"""`--profile auto`: pick a preprocessing profile from what a source file looks like.

Each project's assembly names its own headers and linkage macros, so a few
patterns tell the projects apart.  The rules are tried in order; the first that
matches gives the profile, and the reason is reported with it.  A file that
matches none is read as Linux (the default profile).  The guess only chooses among
the shipped profiles: a user with a real include tree still passes -I/-D.

    guess_profile(path)           -> (profile name, reason)
    guess_profile_text(text)      -> the same for source text
"""
from __future__ import annotations

import os
import re

from ..errors import FrontEndError
from .preprocess import DEFAULT_PROFILE

AUTO = "auto"
_MAX_READ = 1 << 20

# (profile, reason, pattern): the first pattern found in the text wins
_RULES: list[tuple[str, str, re.Pattern]] = [
    ("jailhouse-arm64", "includes <jailhouse/...>",
     re.compile(r'^\s*#\s*include\s*[<"]jailhouse/', re.M)),
    ("edk2-aarch64", "includes edk2's AsmMacroLib.h / AsmMacroIoLibV8.h or uses ASM_FUNC",
     re.compile(r'^\s*#\s*include\s*[<"](AsmMacroLib|AsmMacroIoLibV8)\.h|^\s*ASM_FUNC(_ALIGN)?\s*\(',
                re.M)),
    ("tf-a-aarch64", "includes TF-A's <asm_macros.S> / <common/asm_macros_common.S> or "
     "uses func/endfunc",
     re.compile(r'^\s*#\s*include\s*[<"](common/)?asm_macros(_common)?\.S|^\s*endfunc\s+\w',
                re.M)),
    ("optee-arm64", "includes OP-TEE's <asm.S> or uses FUNC name , : / END_FUNC",
     re.compile(r'^\s*#\s*include\s*[<"]asm\.S[>"]|^\s*(LOCAL_|WEAK_)?FUNC\s+\w+\s*,\s*:|'
                r'^\s*END_FUNC\s+\w', re.M)),
    ("u-boot-arm64", "includes U-Boot's <asm/macro.h> or <asm-offsets.h>",
     re.compile(r'^\s*#\s*include\s*[<"](asm/macro\.h|asm-offsets\.h)[>"]', re.M)),
]

_XEN = re.compile(r'^\s*#\s*include\s*[<"](asm/early_printk\.h|asm/arm64/efibind\.h)[>"]|'
                  r'\bPT_MEM_L3\b|\bXEN_VIRT_START\b', re.M)
_XEN_419 = re.compile(r'^\s*FUNC(_LOCAL)?\s*\(', re.M)
_XEN_418 = re.compile(r'\bXEN_PT_LEVEL_SHIFT\b|\.ifnes\s+CONFIG_DTB_FILE')


def guess_profile_text(text: str) -> tuple[str, str]:
    for name, reason, rx in _RULES:
        if rx.search(text):
            return name, reason
    if _XEN.search(text):
        if _XEN_419.search(text):
            return "xen-arm64", "Xen head.S with FUNC()/END() linkage (Xen 4.19+)"
        if _XEN_418.search(text):
            return "xen-arm64-4.18", "Xen head.S with XEN_PT_* names, no FUNC() (Xen 4.18)"
        return "xen-arm64-4.12", "Xen head.S with the old LPAE names (Xen 4.12-4.15)"
    return DEFAULT_PROFILE, "no other project's headers or macros recognised"


def guess_profile(path) -> tuple[str, str]:
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_READ)
    except OSError as e:
        raise FrontEndError(f"cannot read the file: {e.strerror or e}", file=path) from None
    return guess_profile_text(data.decode("utf-8", "replace"))


def resolve_profile(profile, path) -> tuple[str | None, str | None]:
    """(profile to use, reason if guessed) for a --profile value."""
    if profile == AUTO:
        return guess_profile(path)
    return profile, None
