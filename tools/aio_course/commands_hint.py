"""`course hint N.E`: one more hint each time it is asked, never all at once.

What was shown is remembered in build/.course/hints.json (build/ is not committed, so a fresh
clone starts again from the first hint).
"""
from __future__ import annotations

import json
from pathlib import Path

from . import ui
from .exercises import all_exercises
from .lessons import read_hints
from .repo import PLANNED_CHAPTERS, ROOT, chapters as all_chapters, missing_chapter_message, parse_exercise_id

STATE = ROOT / "build" / ".course" / "hints.json"


def _load(state: Path) -> dict[str, int]:
    try:
        return json.loads(state.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _save(state: Path, shown: dict[str, int]) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(shown, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def command_hint(args, state: Path = STATE) -> int:
    chapter, number = parse_exercise_id(args.exercise)
    exercise_id = f"{chapter}.{number}"
    exercises = {e.exercise_id: e for e in all_exercises()}
    if exercise_id not in exercises:
        if chapter in PLANNED_CHAPTERS and chapter not in {c.number for c in all_chapters()}:
            raise ui.UsageError(missing_chapter_message(chapter))  # "in preparation"
        valid = ", ".join(exercises) or "none yet"
        raise ui.UsageError(f"there is no exercise {exercise_id}; exercises: {valid}")
    exercise = exercises[exercise_id]
    hints = read_hints(exercise.chapter.hints_file).get(exercise_id, [])
    if not hints:
        raise ui.CourseError(f"exercise {exercise_id} has no hints yet; re-read "
                             f"chapters/{exercise.chapter.folder}/README.md, Exercise {exercise_id}")

    shown = _load(state)
    if args.reset:
        shown.pop(exercise_id, None)
        _save(state, shown)
        ui.say(f"hints of exercise {exercise_id} are hidden again.")
        return 0
    already = min(shown.get(exercise_id, 0), len(hints))
    count = min(already + 1, len(hints))
    shown[exercise_id] = count
    _save(state, shown)

    ui.say(ui.bold(f"Exercise {exercise_id}: {exercise.title}"))
    for index, hint in enumerate(hints[:count], start=1):
        fresh = index == count and already < count
        marker = f"hint {index}/{len(hints)}"
        body = hint.replace("\n", "\n    ")
        ui.say(f"\n{ui.paint(marker, 'cyan', 'bold') if fresh else ui.dim(marker)}\n    {body}")
    ui.say()
    if count == len(hints):
        ui.say(ui.dim(f"that was the last hint: all {len(hints)} are shown. The lesson: "
                      f"chapters/{exercise.chapter.folder}/README.md, Exercise {exercise_id}."))
    else:
        ui.say(ui.dim(f"{len(hints) - count} more: run ./course hint {exercise_id} again."))
    return 0
