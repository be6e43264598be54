"""The exercises of a chapter, as its solution markers declare them.

An exercise may span several regions (several functions); its title is the lesson's heading
`### Exercise N.E: title` when there is one, else its first marker's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import markers
from .lessons import lesson_titles
from .repo import (EXERCISE_ID, PLANNED_CHAPTERS, Chapter, ROOT, chapters as all_chapters,
                   missing_chapter_message)
from .starters import solution_files
from .ui import UsageError


@dataclass
class Exercise:
    exercise_id: str  # "1.2"
    title: str
    chapter: Chapter
    regions: list[markers.ExerciseRegion] = field(default_factory=list)

    @property
    def number(self) -> int:
        return int(self.exercise_id.split(".")[1])

    @property
    def label(self) -> str:
        return f"ex{self.exercise_id}"


def chapter_exercises(chapter: Chapter) -> list[Exercise]:
    found: dict[str, Exercise] = {}
    for rel in solution_files(chapter):
        path = chapter.solution_dir / rel
        shown = f"solutions/{chapter.folder}/{rel.as_posix()}"
        for region in markers.parse_regions(path, path.read_text(encoding="utf-8"),
                                            chapter.number, shown):
            exercise = found.setdefault(region.exercise_id,
                                        Exercise(region.exercise_id, region.title, chapter))
            exercise.regions.append(region)
    # The lesson's heading names the whole exercise; a marker names one of its regions.
    for exercise_id, title in lesson_titles(chapter.lesson).items():
        if exercise_id in found and title:
            found[exercise_id].title = title
    return sorted(found.values(), key=lambda e: markers.sort_key(e.exercise_id))


def all_exercises(root=ROOT) -> list[Exercise]:
    return [e for chapter in all_chapters(root) for e in chapter_exercises(chapter)]


def find_exercise(exercise_id: str, root=ROOT) -> Exercise:
    everything = all_exercises(root)
    for exercise in everything:
        if exercise.exercise_id == exercise_id:
            return exercise
    match = EXERCISE_ID.match(exercise_id)
    chapter_number = int(match.group(1)) if match else None
    if chapter_number in PLANNED_CHAPTERS and chapter_number not in {c.number for c in all_chapters(root)}:
        raise UsageError(missing_chapter_message(chapter_number, root))  # "in preparation"
    valid = ", ".join(e.exercise_id for e in everything) or "none yet"
    raise UsageError(f"there is no exercise {exercise_id}; exercises: {valid}")
