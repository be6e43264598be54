"""`course starters`, `course snippets` and `course traces`: the generated parts of the repository."""
from __future__ import annotations

from . import snippets, starters, traces, ui
from .repo import chapters as all_chapters, find_chapter


def command_starters(args) -> int:
    chosen = [find_chapter(int(args.chapter))] if args.chapter else all_chapters()
    if not chosen:
        raise ui.CourseError("there are no chapters yet: solutions/NN-topic/ holds them")
    kept_any = False
    for chapter in chosen:
        result = starters.sync_chapter(chapter, force=args.force)
        where = f"chapters/{chapter.folder}"
        for rel in result.written:
            ui.say(f"{ui.ok('wrote')}   {where}/{rel}")
        for rel in result.removed:
            ui.say(f"{ui.warn('removed')} {where}/{rel} (its solution file is gone)")
        for rel in result.kept_edited:
            ui.say(f"{ui.warn('kept')}    {where}/{rel}: edited since it was generated; "
                   "not overwritten (--force overwrites)")
            kept_any = True
        if not (result.written or result.removed or result.kept_edited):
            ui.say(ui.dim(f"{where}: {result.unchanged} starter files, all up to date"))
    return 1 if kept_any else 0


def command_snippets(args) -> int:
    if args.write:
        changed = snippets.write()
        for path in changed:
            ui.say(f"{ui.ok('updated')} {path}")
        if not changed:
            ui.say(ui.dim("every snippet was already up to date"))
        return 0
    return ui.report(snippets.check(), "every snippet matches its source")


def command_traces(args) -> int:
    if args.write:
        changed = traces.write()
        for path in changed:
            ui.say(f"{ui.ok('updated')} {path}")
        if not changed:
            ui.say(ui.dim("every trace's expected output was already up to date"))
        return 0
    python = traces.find_python()
    if python is None:
        raise ui.CourseError("the trace programs need python3 3.11 or newer on the PATH")
    return ui.report(traces.check(python=python), f"CPython {python[1]} prints every committed trace")
