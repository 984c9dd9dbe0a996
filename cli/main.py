"""The `bbmcheck` command.

Each subcommand lives in its own module and is imported only when used, so that
`bbmcheck expand` does not pay for loading Z3.  Errors in the user's input
(BbmError) are printed as `file:line: error: ...` with exit status 2, never as a
Python traceback.
"""
from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import BbmError

# name -> (module under bbmcheck.cli, attribute, one-line help)
COMMANDS = {
    "routines": ("frontend", "routines_cmd", "List the routines found in an assembly file."),
    "expand": ("frontend", "expand_cmd", "Print a routine's expanded instructions with source locations."),
    "run": ("run", "run_cmd", "Run a routine on the single-CPU concrete interpreter."),
    "prove": ("prove", "prove_cmd", "Prove or refute BBM and TLB properties of a routine."),
    "litmus": ("litmus", "litmus_cmd", "Run herd7 AArch64 litmus tests on bbmcheck's model."),
    "replay": ("replay", "replay_cmd", "Re-run a saved counterexample (JSON) concretely and confirm it."),
}

EXIT_USAGE = 2


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        try:
            mod = importlib.import_module(f"{__package__}.{module}")
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(f"cli.{module}"):
                return _missing(name)
            raise
        return getattr(mod, attr)

    def format_commands(self, ctx, formatter):
        rows = [(n, COMMANDS[n][2]) for n in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _missing(name):
    @click.command(name=name, help=COMMANDS[name][2])
    def cmd():
        raise click.UsageError(f"`bbmcheck {name}` is not built yet")
    return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bbmcheck")
def cli():
    """bbmcheck: prove or refute Arm break-before-make rules in AArch64 assembly."""


def _user_stopped() -> bool:
    """Has the SIGINT watcher (model/solving.py) seen Ctrl-C?  (Without importing Z3
    when no check ran.)"""
    solving = sys.modules.get("bbmcheck.model.solving")
    return solving is not None and solving.user_stop.is_set()


def _wrapped_interrupt(e: Exception) -> bool:
    """A KeyboardInterrupt that ctypes wrapped: Python raised it while ctypes converted
    a Z3 call's arguments, and ctypes reports "argument N: KeyboardInterrupt: " (before
    the SIGINT watcher's flag is set, it may be all there is to go on)."""
    import ctypes
    return isinstance(e, ctypes.ArgumentError) and "KeyboardInterrupt" in str(e)


def main(argv=None):
    try:
        rv = cli.main(args=argv, standalone_mode=False)
        if _user_stopped():
            # Ctrl-C whose KeyboardInterrupt Python dropped (raised in a finalizer)
            raise KeyboardInterrupt
    except BbmError as e:
        click.echo(e.render(), err=True)
        sys.exit(EXIT_USAGE)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("bbmcheck: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(EXIT_USAGE if e.exit_code in (1, 2) else e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except SystemExit:
        raise
    except Exception as e:          # a bug of ours, not the user's input
        if _user_stopped() or _wrapped_interrupt(e):
            # Ctrl-C that surfaced as another exception: ctypes wraps a KeyboardInterrupt
            # raised while it converts a Z3 call's arguments in an ArgumentError
            click.echo("bbmcheck: interrupted", err=True)
            sys.exit(130)
        import os
        import traceback
        if os.environ.get("BBMCHECK_DEBUG"):
            traceback.print_exc()
        else:
            click.echo(f"bbmcheck: internal error: {type(e).__name__}: {e}\n"
                       f"  (set BBMCHECK_DEBUG=1 for the traceback; please report it)", err=True)
        sys.exit(4)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
