"""The `course` command: argparse wiring of the subcommands in the commands_* modules."""
from __future__ import annotations

import argparse
import sys

from . import ui

DESCRIPTION = """\
asyncio from the ground up, in C++20: the one command of the course.

Start with `./course tour`, then read chapters/01-generators/README.md and run
`./course test 1 --mine` as you write the exercises."""


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one line that says where to look (exit code 2)."""

    def error(self, message):
        ui.error(f"{message} (see ./course {self.prog.split(' ', 1)[-1] + ' ' if ' ' in self.prog else ''}--help)")
        sys.exit(2)


def _add(subparsers, name: str, summary: str, examples: str):
    return subparsers.add_parser(
        name, help=summary, description=summary, epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="course", description=DESCRIPTION,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = _add(sub, "tour", "Build the examples and run every chapter's tour, in order.",
             "  ./course tour")
    p.set_defaults(handler="commands_run:command_tour")

    p = _add(sub, "test", "Build and run the tests of a chapter or an exercise; per-exercise report.",
             "  ./course test              every chapter, on the reference code\n"
             "  ./course test 1 --mine     chapter 1 on your code (chapters/01-*)\n"
             "  ./course test 1.2 --mine   exercise 1.2 (and 1.1, which it builds on)\n"
             "  ./course test 1 --mine --all   every failing test, not the first 3 per exercise\n"
             "  ./course test --mine-all   every chapter, all on your code\n"
             "  ./course test 2 --preset asan")
    p.add_argument("target", nargs="?", metavar="N[.E]", help="a chapter (1) or an exercise (1.2)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--mine", action="store_true", help="build this chapter from your code (preset mine)")
    mode.add_argument("--mine-all", action="store_true", help="build every chapter from your code")
    p.add_argument("--preset", help="the CMake preset (default: dev, or mine with --mine)")
    p.add_argument("--all", "-v", "--verbose", dest="all", action="store_true",
                   help="show every failing test (default: the first 3 of each exercise)")
    p.set_defaults(handler="commands_test:command_test")

    p = _add(sub, "status", "Build your code and show which exercises pass, fail, are blocked or not started.",
             "  ./course status")
    p.set_defaults(handler="commands_test:command_status")

    p = _add(sub, "watch", "Re-run a chapter's tests on your code every time you save a file.",
             "  ./course watch 1\n  ./course watch          the chapter you edited last")
    p.add_argument("chapter", nargs="?", metavar="N", type=_chapter_number)
    p.set_defaults(handler="commands_test:command_watch")

    p = _add(sub, "hint", "Show the next hint of an exercise (one more each time).",
             "  ./course hint 1.2\n  ./course hint 1.2 --reset   hide its hints again")
    p.add_argument("exercise", metavar="N.E")
    p.add_argument("--reset", action="store_true", help="start again from the first hint")
    p.set_defaults(handler="commands_hint:command_hint")

    p = _add(sub, "run", "Build (release) and run one example program by name.",
             "  ./course run fetch_rows\n  ./course run round_robin -- --jobs 3")
    p.add_argument("name", metavar="NAME", help="the example's file name without .cpp")
    p.add_argument("args", nargs=argparse.REMAINDER, help="passed to the program")
    p.set_defaults(handler="commands_run:command_run")

    p = _add(sub, "bench", "Build (release) and run a chapter's benchmarks; table of medians and a plot.",
             "  ./course bench 1\n  ./course bench --quick    every chapter, fewer repetitions")
    p.add_argument("chapter", nargs="?", metavar="N", type=_chapter_number)
    p.add_argument("--quick", action="store_true", help="3 short repetitions instead of 5 full ones")
    p.set_defaults(handler="commands_bench:command_bench")

    p = _add(sub, "slides", "Render the Marp decks slides/NN-*.md to HTML and PDF in build/slides/.",
             "  ./course slides\n  ./course slides 1\n  ./course slides --check   code on every code slide")
    p.add_argument("chapter", nargs="?", metavar="N", type=_chapter_number)
    p.add_argument("--check", action="store_true", help="check the quoted code instead of building")
    p.set_defaults(handler="commands_slides:command_slides")

    p = _add(sub, "check", "For authors: starters, tests, lessons, hints and snippets all agree.",
             "  ./course check --quick   no build, seconds\n"
             "  ./course check           also: stubs fail every exercise test, the reference passes")
    p.add_argument("--quick", action="store_true", help="skip the builds")
    p.set_defaults(handler="check:command_check")

    p = _add(sub, "starters", "For authors: regenerate chapters/NN-*/ starters from solutions/.",
             "  ./course starters\n  ./course starters 1 --force   overwrite edited starter files")
    p.add_argument("chapter", nargs="?", metavar="N", type=_chapter_number)
    p.add_argument("--force", action="store_true", help="overwrite starter files a student edited")
    p.set_defaults(handler="commands_sources:command_starters")

    p = _add(sub, "traces", "For authors: re-run CPython's trace programs (tests/NN-*/traces/*.py).",
             "  ./course traces            check that CPython still prints the committed output\n"
             "  ./course traces --write    refresh the .expected files (then review the diff)")
    p.add_argument("--write", action="store_true", help="rewrite the .expected files from CPython")
    p.set_defaults(handler="commands_sources:command_traces")

    p = _add(sub, "snippets", "For authors: check (or --write) the code quoted in lessons and slides.",
             "  ./course snippets\n  ./course snippets --write")
    p.add_argument("--write", action="store_true", help="refresh every quote from its source")
    p.set_defaults(handler="commands_sources:command_snippets")
    return parser


def _chapter_number(text: str) -> str:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a chapter number (like 1)")
    return str(int(text))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    module_name, function_name = args.handler.split(":")
    # Import only the module of the command asked for: `course hint` stays instant.
    module = __import__(f"aio_course.{module_name}", fromlist=[function_name])
    try:
        return getattr(module, function_name)(args)
    except ui.CourseError as e:
        ui.error(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        ui.say("\ninterrupted.")
        return 130
