"""``jaicp-mock``: a table of subcommands, each a :class:`generators.cli.Command`.

Adding a command is adding one entry to :data:`COMMANDS`. Every bad flag gets one line that names the flag and
the accepted values, and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from generators.cli import GENERATE, VALIDATE, CliError, Command, Parser
from generators.stats import STATS
from mock_server import __version__
from mock_server.reports.cli import REPORT
from mock_server.serve import SERVE

COMMANDS: tuple[Command, ...] = (SERVE, GENERATE, VALIDATE, STATS, REPORT)


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    parser = Parser(prog="jaicp-mock", description="A local mock of JAICP's daily dialog-log export.")
    parser.add_argument("--version", action="version", version=f"jaicp-mock {__version__}")
    names = ",".join(command.name for command in commands)
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar=f"{{{names}}}")
    for command in commands:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.description)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except CliError as error:
        print(f"jaicp-mock: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `jaicp-mock generate ... | head`
        sys.stderr.close()
        return 0
    except OSError as error:
        print(f"jaicp-mock: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
