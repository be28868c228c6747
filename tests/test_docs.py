"""The front page and docs/ stay true to the code: every flag of every command is
documented, every link reaches a file (and a heading), every path or module named exists,
and every page of docs/ is linked from the front page."""

import re
from pathlib import Path

import pytest

from pipelines import cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE_ROOTS = ("transforms", "pipelines", "schemas", "bench", "deploy", "tests", "seeds", "docs")
# Named in the text, but made by a run rather than kept in the repository.
MADE_BY_RUNS = {"bench/results"}

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PATH = re.compile(rf"^(?:{'|'.join(CODE_ROOTS)})/[\w./-]*$")
MODULE = re.compile(r"^(?:transforms|pipelines|schemas|bench|tests)(?:\.\w+)+$")


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in FENCE.sub("", _text(page)).splitlines():
        if line.startswith("#"):
            slug = _slug(line.lstrip("#"))
            n = 0
            while (slug if n == 0 else f"{slug}-{n}") in found:
                n += 1
            found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def _documented() -> str:
    return "\n".join(_text(page) for page in PAGES)


def _commands() -> list[str]:
    return ["batch", *(name for name, _, _ in cli.OTHER_COMMANDS)]


@pytest.mark.parametrize("command", _commands())
def test_every_flag_of_every_command_is_documented(command):
    parser = cli._subparser(cli.parser(command), command)
    flags = set(cli._flags(parser)) | set(cli._flags(cli.parser(command)))
    text = _documented()
    missing = sorted(flag for flag in flags - {"--help"}
                     if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text))
    assert not missing, f"copydesk {command}: flags documented in neither README.md nor docs/: {missing}"


def _links(page: Path) -> list[str]:
    return [target for target in LINK.findall(FENCE.sub("", _text(page)))
            if not re.match(r"^[a-z]+:", target)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_reaches_a_file_and_a_heading(page):
    broken = []
    for target in _links(page):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or ROOT not in (resolved, *resolved.parents):
            broken.append(target)
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(target)
    assert not broken, f"{page.name}: links to no file or no heading: {broken}"


def _named(page: Path) -> set[str]:
    """Paths and dotted module names written as code, inline or in a fenced block."""
    spans = CODE_SPAN.findall(FENCE.sub("", _text(page)))
    spans += FENCE.findall(_text(page))
    words = {word.strip("'\",.;:()") for span in spans for word in span.split()}
    return {word for word in words if PATH.match(word) or MODULE.match(word)}


def _module_exists(dotted: str) -> bool:
    parts = dotted.split(".")
    for size in range(len(parts), 1, -1):
        base = ROOT.joinpath(*parts[:size])
        source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if source.is_file():
            rest = parts[size:]
            return not rest or re.search(rf"\b{re.escape(rest[0])}\b", source.read_text("utf-8")) is not None
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_path_and_module_named_exists(page):
    missing = sorted(name for name in _named(page)
                     if not (_module_exists(name) if MODULE.match(name)
                             else (ROOT / name).exists() or name.rstrip("/") in MADE_BY_RUNS))
    assert not missing, f"{page.name}: names what the repository does not hold: {missing}"


def test_every_page_of_docs_is_linked_from_the_front_page():
    readme = ROOT / "README.md"
    linked = {(readme.parent / target.partition("#")[0]).resolve() for target in _links(readme)}
    unlinked = [page.name for page in PAGES[1:] if page.resolve() not in linked]
    assert not unlinked, f"docs/ pages the front page does not link: {unlinked}"
