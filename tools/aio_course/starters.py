"""Starters: the solutions with every exercise region turned into a stub.

`solutions/NN-topic/{include,src}` -> `chapters/NN-topic/{include,src}`. Each chapter keeps
`.starter-manifest`, the sha256 of every starter file as last generated: a file whose content no
longer has that hash was edited by a student, and is never overwritten without --force.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from . import markers
from .repo import Chapter, chapters as all_chapters, ROOT

CODE_SUFFIXES = (".hpp", ".h", ".cpp")
CODE_FOLDERS = ("include", "src")
MANIFEST = ".starter-manifest"


def stub_lines(region: markers.ExerciseRegion) -> list[str]:
    """The line(s) that replace the reference code of one region (tools/README.md, the table)."""
    indent, ex = region.indent, region.exercise_id
    if region.kind == "generator":
        # `co_return` keeps the function a coroutine: the throw then happens on first resume.
        return [f'{indent}throw aio::NotImplemented{{"{ex}"}};', f"{indent}co_return;"]
    if region.kind == "coroutine":
        return [f'{indent}co_await aio::not_implemented("{ex}");']
    if region.kind == "members":
        return []  # the student adds the data members they need
    return [f'{indent}throw aio::NotImplemented{{"{ex}"}};']


def make_starter(text: str, regions: list[markers.ExerciseRegion]) -> str:
    """The starter text of one solution file, given its parsed regions."""
    lines = text.split("\n")
    out: list[str] = []
    next_line = 1
    for region in regions:
        out += lines[next_line - 1: region.start - 1]  # code before the region, as is
        out.append(lines[region.start - 1])  # the `// EXERCISE` line stays
        out += region.kept_comments  # the task in words
        out += stub_lines(region)
        out.append(lines[region.end - 1])  # the `// END EXERCISE` line stays
        next_line = region.end + 1
    out += lines[next_line - 1:]
    return "\n".join(out)


def solution_files(chapter: Chapter) -> list[Path]:
    """Every code file of the reference, as paths relative to the chapter's folder."""
    files = []
    for folder in CODE_FOLDERS:
        base = chapter.solution_dir / folder
        if base.is_dir():
            files += [p.relative_to(chapter.solution_dir) for p in sorted(base.rglob("*"))
                      if p.is_file() and p.suffix in CODE_SUFFIXES]
    return files


def generate_chapter(chapter: Chapter) -> dict[str, str]:
    """{relative path: starter text} of one chapter. Raises MarkerError on a malformed marker."""
    starters = {}
    for rel in solution_files(chapter):
        source = chapter.solution_dir / rel
        text = source.read_text(encoding="utf-8")
        shown = f"solutions/{chapter.folder}/{rel.as_posix()}"
        regions = markers.parse_regions(source, text, chapter.number, shown)
        starters[rel.as_posix()] = make_starter(text, regions) if regions else text
    return starters


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(chapter_dir: Path) -> dict[str, str]:
    path = chapter_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}  # a broken manifest protects nothing; files that differ are then kept


def write_manifest(chapter_dir: Path, manifest: dict[str, str]) -> None:
    chapter_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(manifest.items())), indent=2) + "\n"
    (chapter_dir / MANIFEST).write_text(text, encoding="utf-8")


@dataclass
class SyncResult:
    written: list[str] = field(default_factory=list)  # new or refreshed files
    kept_edited: list[str] = field(default_factory=list)  # a student's edits: not overwritten
    removed: list[str] = field(default_factory=list)  # starters whose solution file is gone
    unchanged: int = 0


def _is_edited(path: Path, manifest: dict[str, str], rel: str) -> bool:
    """Edited = present and not what we last wrote. A file with no manifest entry is the
    student's own unless it already equals what we would write (checked by the caller)."""
    if not path.exists():
        return False
    return manifest.get(rel) != sha256(path.read_text(encoding="utf-8"))


def sync_chapter(chapter: Chapter, target_dir: Path | None = None, force: bool = False) -> SyncResult:
    """Write the starters of one chapter into target_dir (default chapters/NN-topic)."""
    target_dir = target_dir or chapter.chapter_dir
    result = SyncResult()
    manifest = read_manifest(target_dir)
    starters = generate_chapter(chapter)

    for rel, text in starters.items():
        path = target_dir / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            manifest[rel] = sha256(text)
            result.unchanged += 1
            continue
        if _is_edited(path, manifest, rel) and not force:
            result.kept_edited.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        manifest[rel] = sha256(text)
        result.written.append(rel)

    # A solution file was deleted or renamed: drop its starter, unless a student changed it.
    for rel in sorted(set(manifest) - set(starters)):
        path = target_dir / rel
        if path.exists() and _is_edited(path, manifest, rel) and not force:
            result.kept_edited.append(rel)
            continue
        if path.exists():
            path.unlink()
        del manifest[rel]
        result.removed.append(rel)

    write_manifest(target_dir, manifest)
    return result


def differences(chapter: Chapter) -> list[str]:
    """What differs between the committed starters and a fresh generation (for `course check`)."""
    problems = []
    starters = generate_chapter(chapter)
    manifest = read_manifest(chapter.chapter_dir)
    for rel, text in starters.items():
        path = chapter.chapter_dir / rel
        shown = f"chapters/{chapter.folder}/{rel}"
        if not path.exists():
            problems.append(f"{shown} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{shown} differs from its solution's starter")
        elif manifest.get(rel) != sha256(text):
            problems.append(f"chapters/{chapter.folder}/{MANIFEST} has no up-to-date hash of {rel}")
    for rel in sorted(set(manifest) - set(starters)):
        problems.append(f"chapters/{chapter.folder}/{rel} has no solution file any more")
    return problems


def generate_all_into(target_root: Path, root: Path = ROOT) -> list[Path]:
    """Fresh starters of every chapter under target_root/NN-topic (for `course check`'s build).

    The target ends up holding exactly what the generator makes. Files whose content is already
    right are left alone, so their timestamps stay and the next build stays incremental.
    Returns the chapter folders written.
    """
    written = []
    for chapter in all_chapters(root):
        out = target_root / chapter.folder
        wanted = generate_chapter(chapter)
        if out.exists():
            for path in sorted(out.rglob("*"), reverse=True):  # files before their folders
                rel = path.relative_to(out).as_posix()
                if path.is_file() and rel not in wanted:
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        for rel, text in wanted.items():
            path = out / rel
            if path.exists() and path.read_text(encoding="utf-8") == text:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written.append(out)
    return written
