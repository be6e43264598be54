"""The Python side of the course: the `course` command and the tools behind it.

One module, one idea:

    repo       where things are: the repository root, chapters, exercise ids
    ui         what the user sees: colours, tables, the progress line, errors
    markers    reading `// EXERCISE N.E` regions of solution files
    starters   turning solutions into starters (the stubs students fill in)
    snippets   keeping code quoted in lessons and slides equal to its source
    lessons    reading a chapter's README.md and hints.md
    examples   example programs and their tour captions
    traces     CPython's order of events, committed for the C++ tests to compare with
    toolchain  finding (and, as root, installing) the Debian packages we need
    cmake      configuring and building presets
    ctest      running tests and reading what happened to each one
    report     per-exercise tables of test results
    commands_* the subcommands themselves; cli wires them to argparse

Only the standard library is used, so `./course` works on a fresh Debian with python3.
"""
