"""docs/profiles.md documents every profile, define, capability and macro."""
from __future__ import annotations

import re
from pathlib import Path

from bbmcheck.grammar.preprocess import BASE_DEFINES, list_profiles, load_profile

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "profiles.md").read_text()


def _documented(name: str) -> bool:
    return re.search(r"`[^`]*\b" + re.escape(name) + r"\b[^`]*`", DOC) is not None


def test_every_profile_and_define_is_documented():
    missing = []
    for prof in list_profiles():
        if f"`{prof}`" not in DOC:
            missing.append(prof)
        p = load_profile(prof)
        missing += [k for k in p.defines if not _documented(k)]
        missing += [c for c in p.capabilities if not _documented(c)]
    missing += [k for k in BASE_DEFINES if not _documented(k)]
    assert sorted(set(missing)) == []


def test_every_header_macro_is_documented():
    inc = Path(load_profile("linux-arm64-4k-48").include_dirs[-1])
    names = set()
    for h in list(inc.rglob("*.h")) + list(inc.rglob("*.S")):
        text = h.read_text()
        names |= {m for m in re.findall(r"^\s*\.macro\s+([A-Za-z_]\w*)", text, re.M)
                  if not m.startswith("__bbm_")}
        names |= set(re.findall(r"^#define\s+(SYM_\w+|ENTRY|END|ENDPROC|GLOBAL|WEAK|"
                                r"ALTERNATIVE|ASM_BUG|__HEAD|__INIT\w*|__FINIT\w*|"
                                r"__REF\w*|NOKPROBE|CPU_LE|CPU_BE)\b", text, re.M))
    assert len(names) > 100
    assert sorted(n for n in names if not _documented(n)) == []


def test_every_capability_the_headers_or_corpus_test_is_documented():
    inc = Path(load_profile("linux-arm64-4k-48").include_dirs[-1])
    caps = set()
    for h in inc.rglob("*.h"):
        caps |= set(re.findall(r"^\s*alternative_(?:if|if_not|cb)\s+(ARM64_\w+)",
                               h.read_text(), re.M))
    corpus = (REPO / ".." / "shared" / "corpus").resolve()
    for f in list(corpus.glob("linux/proc.S/*.S")) + list(corpus.glob("other/linux/*.S")):
        caps |= set(re.findall(r"^\s*alternative_(?:if|if_not)\s+(ARM64_\w+)",
                               f.read_text(), re.M))
    assert caps
    assert sorted(c for c in caps if not _documented(c)) == []
