"""The ``mltrl`` command. ``main`` answers ``--version`` before importing anything heavy."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from mltrl import __version__

        print(f"mltrl {__version__}")
        return 0
    from mltrl.cli._run import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
