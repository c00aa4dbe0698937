"""Run the Typer app so that every failure is one line on stderr with the right exit code."""

from __future__ import annotations

import os
import sys
import warnings

from mltrl.errors import MltrlError

USAGE_EXIT = 2
#: EX_SOFTWARE from sysexits.h: an internal error (a bug), not a refusal of bad input.
INTERNAL_EXIT = 70
ENV_DEBUG = "MLTRL_DEBUG"


def run(args: list[str]) -> int:
    from mltrl.cli.app import build_command

    try:
        with warnings.catch_warnings():
            # numpy's "invalid value encountered" and the like are for developers; the user of a
            # command sees its result or its one-line error, never a library's warning on stderr.
            warnings.simplefilter("ignore", RuntimeWarning)
            result = build_command(args).main(args=args, prog_name="mltrl", standalone_mode=False)
    except MltrlError as exc:
        _fail(exc.message)
        return exc.exit_code
    except OverflowError as exc:
        # SQLite binds 64-bit integers only: an id like 2**63 fails there before any lookup.
        _fail(f"a number is out of range: {exc} (ids and counts are 64-bit integers)")
        return USAGE_EXIT
    except SystemExit as exc:
        # --show-completion and --install-completion print, then exit through sys.exit.
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        _fail("interrupted; nothing more was written")
        return 130
    except Exception as exc:
        # Typer's (vendored click's) usage errors, Exit and Abort carry their own codes.
        code = getattr(exc, "exit_code", None)
        if type(exc).__name__ == "Abort":
            _fail("aborted")
            return 1
        if type(exc).__name__ == "NoArgsIsHelpError":
            print(exc.format_message(), file=sys.stderr)  # type: ignore[attr-defined]
            return USAGE_EXIT
        if hasattr(exc, "format_message"):
            _fail(_usage_line(exc))
            return USAGE_EXIT if code is None else int(code)
        if code is not None and type(exc).__name__ == "Exit":
            return int(code)
        if os.environ.get(ENV_DEBUG):
            raise
        # A failure mltrl did not foresee is a bug; still one line, with its own exit code, so it is
        # neither taken for a refusal (2) nor for a failed check (1).
        _fail(
            f"unexpected {type(exc).__name__}: {_first_line(exc)} (a damaged registry or a bug in mltrl; "
            f"{ENV_DEBUG}=1 shows the traceback)"
        )
        return INTERNAL_EXIT
    return int(result) if isinstance(result, int) else 0


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or ["no message"])[0]


def _usage_line(exc: Exception) -> str:
    message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "mltrl"
    return f"{where}: {message}"


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
