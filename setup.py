"""Map the top-level folders onto one installed package, ``bbmcheck``.

grammar/ -> bbmcheck.grammar, model/ -> bbmcheck.model, specs/ -> bbmcheck.specs,
cli/ -> bbmcheck.cli; bbmcheck/ holds only the package root.  Subpackages are found
by walking each folder, so a new subfolder with an __init__.py needs no edit here.
"""
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent
FOLDERS = {"grammar": "bbmcheck.grammar", "model": "bbmcheck.model",
           "specs": "bbmcheck.specs", "cli": "bbmcheck.cli"}

packages = ["bbmcheck"]
package_dir = {"bbmcheck": "bbmcheck"}
for folder, name in FOLDERS.items():
    packages.append(name)
    package_dir[name] = folder
    for sub in find_packages(where=folder):
        packages.append(f"{name}.{sub}")
        package_dir[f"{name}.{sub}"] = f"{folder}/{sub.replace('.', '/')}"

# Non-Python files shipped with the package: the grammar, profile headers, bundled specs.
DATA_PATTERNS = ["*.lark", "*.toml", "*.h", "*.S", "*.inc", "*.json", "*.md"]
package_data = {}
for name, folder in package_dir.items():
    files = []
    for pattern in DATA_PATTERNS:
        for path in (ROOT / folder).rglob(pattern):
            rel = path.relative_to(ROOT / folder)
            # Files below a subpackage belong to that subpackage.
            if any((ROOT / folder / p).joinpath("__init__.py").exists()
                   for p in rel.parents if str(p) != "."):
                continue
            files.append(str(rel))
    if files:
        package_data[name] = files

setup(packages=packages, package_dir=package_dir, package_data=package_data)
