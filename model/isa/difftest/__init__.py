"""Validation tooling for the instruction semantics (not used by the checker itself):

    miniasm   a minimal one-line parser of canonical A64 syntax into Instructions, so the
              semantics can be tested independently of the front end
    gen       a seeded generator of random straight-line and branching programs over the
              unprivileged subset
    qemu      the harness: assemble with aarch64-linux-gnu-as, link, run under
              qemu-aarch64, read back registers/flags/memory; and the same programs on
              our concrete runner
    shrink    delta-debugging of disagreeing programs into regression files
"""
