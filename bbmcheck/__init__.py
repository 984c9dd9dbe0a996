"""bbmcheck: a model checker for Arm break-before-make rules in real AArch64 assembly.

Subpackages: grammar (front end), model (semantics, VMSA machine, encoding),
specs (scenarios), cli (the `bbmcheck` command).
"""
__version__ = "0.1.0"
