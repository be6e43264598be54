"""`course slides [N] [--check]`: the Marp decks slides/NN-topic.md as HTML and PDF.

Everything is staged into build/slides/: the decks, their figures (slides/figures/*.dot drawn
to SVG by graphviz, other files copied) and the outputs. A deck refers to a figure as
`figures/NAME.svg`, which is then right for the HTML, the PDF and the staged Markdown alike.

marp-cli comes from npm, pinned in slides/package.json and package-lock.json (`npm ci`).
The PDF is printed by Debian's chromium: CHROME_PATH points marp at it, and as root chromium
needs its sandbox off, which marp-cli does when CHROME_NO_SANDBOX is set.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from . import snippets, toolchain, ui
from .repo import ROOT

SLIDES = ROOT / "slides"
OUT = ROOT / "build" / "slides"
MARP = SLIDES / "node_modules" / ".bin" / "marp"
DECK = re.compile(r"^(\d\d)-.*\.md$")
SLIDE_BREAK = re.compile(r"^\s*(---|\*\*\*|___)\s*$")
SECTION = re.compile(r'<section\b[^>]*\bid="(\d+)"[^>]*>(.*?)</section>', re.DOTALL)
CODE_BLOCK = re.compile(r"<pre\b[^>]*>\s*<code\b[^>]*>(.*?)</code>", re.DOTALL)


def decks(chapter: int | None = None) -> list[Path]:
    found = [p for p in sorted(SLIDES.glob("*.md")) if DECK.match(p.name)]
    if chapter is not None:
        found = [p for p in found if int(DECK.match(p.name).group(1)) == chapter]
        if not found:
            valid = ", ".join(str(int(DECK.match(p.name).group(1))) for p in decks()) or "none yet"
            raise ui.UsageError(f"there is no deck for chapter {chapter}; decks: {valid}")
    return found


def ensure_marp() -> None:
    toolchain.ensure(toolchain.SLIDES, "building the slides")
    if MARP.exists():
        return
    ui.say(ui.dim("installing marp-cli from slides/package-lock.json (npm ci) ..."))
    # The browser is Debian's chromium: puppeteer must not try to download its own.
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=SLIDES, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
        raise ui.CourseError("npm ci in slides/ failed; its output is above")


def marp_env() -> dict[str, str]:
    env = dict(os.environ, CHROME_PATH=shutil.which("chromium") or "/usr/bin/chromium")
    if toolchain.is_root():
        env["CHROME_NO_SANDBOX"] = "1"  # chromium refuses to start sandboxed as root
    return env


def stage_figures() -> None:
    figures = SLIDES / "figures"
    target = OUT / "figures"
    target.mkdir(parents=True, exist_ok=True)
    if not figures.is_dir():
        return
    sources = sorted(p for p in figures.iterdir() if p.is_file())
    for source in sources:
        if source.suffix != ".dot":
            shutil.copy2(source, target / source.name)
    # Drawn after the copies: a diagram's .dot is its source, even when an old .svg sits beside it.
    for source in sources:
        if source.suffix == ".dot":
            svg = target / (source.stem + ".svg")
            result = subprocess.run(["dot", "-Tsvg", str(source), "-o", str(svg)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise ui.CourseError(f"dot could not draw slides/figures/{source.name}: "
                                     f"{' '.join(result.stderr.strip().splitlines()[-1:])}")


def marp(deck: Path, output: Path, pdf: bool = False) -> None:
    command = [str(MARP), str(deck), "-o", str(output), "--allow-local-files"]
    if pdf:
        command.insert(1, "--pdf")
    result = subprocess.run(command, env=marp_env(), capture_output=True, text=True)
    if result.returncode != 0 or not output.exists():
        print(result.stdout + result.stderr)
        raise ui.CourseError(f"marp could not render {output.name}; its output is above")


def snippet_slides(deck: Path) -> dict[int, list[str]]:
    """{slide number (1-based): [snippet names]} of the slides that quote code."""
    slides: dict[int, list[str]] = {}
    lines = deck.read_text(encoding="utf-8").split("\n")
    index, start, fence = 1, 0, None
    if lines and lines[0].strip() == "---":  # front matter: not a slide
        start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    for line in lines[start:]:
        if mark := snippets.FENCE.match(line):
            if fence is None:
                fence = mark.group(1)
            elif mark.group(1)[0] == fence[0] and len(mark.group(1)) >= len(fence):
                fence = None
            continue
        if fence is None and SLIDE_BREAK.match(line):
            index += 1
        elif fence is None and (opening := snippets.SNIPPET_OPEN.match(line)):
            slides.setdefault(index, []).append(f"{opening.group('path')}#{opening.group('name')}")
    return slides


def code_problems(deck: Path, html: Path) -> list[str]:
    """Every slide with a snippet marker must show a non-empty code block in the HTML."""
    sections = {int(m.group(1)): m.group(2) for m in SECTION.finditer(html.read_text(encoding="utf-8"))}
    problems = []
    for slide, names in snippet_slides(deck).items():
        blocks = CODE_BLOCK.findall(sections.get(slide, ""))
        if not any(re.sub(r"<[^>]+>", "", block).strip() for block in blocks):
            problems.append(f"slides/{deck.name}: slide {slide} quotes {', '.join(names)} but "
                            "shows no code; run ./course snippets --write")
    return problems


def check(chapter: int | None = None) -> list[str]:
    """Snippets match their sources, and every code slide renders its code (used by CI)."""
    problems = [p for p in snippets.check() if p.startswith("slides/")]
    chosen = decks(chapter)
    if not chosen:
        return problems
    ensure_marp()
    out = OUT / "check"
    out.mkdir(parents=True, exist_ok=True)
    for deck in chosen:
        html = out / (deck.stem + ".html")
        marp(deck, html)
        problems += code_problems(deck, html)
    return problems


def command_slides(args) -> int:
    chapter = int(args.chapter) if args.chapter else None
    if args.check:
        return ui.report(check(chapter),
                         "slides: every quoted snippet matches its source and renders as code")
    chosen = decks(chapter)
    if not chosen:
        raise ui.CourseError("no decks yet: they are slides/NN-topic.md")
    ensure_marp()
    stage_figures()
    for deck in chosen:
        staged = OUT / deck.name
        shutil.copy2(deck, staged)
        for suffix, pdf in ((".html", False), (".pdf", True)):
            output = OUT / (deck.stem + suffix)
            progress = ui.ProgressLine()
            progress.update(f"rendering {output.name} ...")
            marp(staged, output, pdf=pdf)
            progress.clear()
            ui.say(f"{ui.ok('✓')} {output.relative_to(ROOT)}")
    return 0
