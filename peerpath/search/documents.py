"""Reading knowledge documents: Markdown, plain text, PDF and HTML.

Each file becomes a `Document`: a title, metadata from Markdown front matter
where there is any, and a list of `Block`s (a heading path and a paragraph)
that the chunker packs into passages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from peerpath.errors import SearchError

logger = logging.getLogger(__name__)

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf",
            ".html": "html", ".htm": "html"}  # fmt: skip
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    """One paragraph (or list) under a heading path."""

    headings: tuple[str, ...]
    text: str


@dataclass
class Document:
    """One knowledge file, read and split into blocks."""

    doc_id: str
    path: Path
    kind: str
    title: str
    blocks: list[Block]
    topics: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    summary: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def clean(text: str) -> str:
    """Collapse runs of whitespace (PDF and HTML text is full of them)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between `---` lines, and the body after it."""
    if not text.startswith("---"):
        return {}, text
    match = re.match(r"^---\s*\n(.*?)\n---\s*\n?", text, re.DOTALL)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SearchError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise SearchError("front matter must be a YAML mapping")
    return meta, text[match.end() :]


def markdown_blocks(body: str) -> Iterator[Block]:
    """Paragraphs of a Markdown body, each under its heading path."""
    path: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> Iterator[Block]:
        text = "\n".join(paragraph).strip()
        paragraph.clear()
        if text:
            yield Block(tuple(h for _, h in path), text)

    for line in body.splitlines():
        heading = HEADING.match(line)
        if heading:
            yield from flush()
            level = len(heading.group(1))
            path[:] = [(lvl, h) for lvl, h in path if lvl < level]
            path.append((level, heading.group(2).strip()))
        elif not line.strip():
            yield from flush()
        else:
            paragraph.append(line.rstrip())
    yield from flush()


def looks_like_heading(line: str, next_line: str) -> bool:
    """Plain-text heuristics: a short line without closing punctuation, before text."""
    words = line.split()
    return (
        0 < len(words) <= 12
        and len(line) <= 90
        and line[-1] not in ".,;:!?)\"'”’"
        and not line.lstrip().startswith(("-", "•", "*"))
        and not re.fullmatch(r"[\d\s.]+", line)
        and (not next_line or len(next_line.split()) > len(words))
    )


def text_blocks(text: str) -> Iterator[Block]:
    """Paragraphs of plain text; short title-like lines become headings."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    heading: tuple[str, ...] = ()
    for index, paragraph in enumerate(paragraphs):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        if len(lines) == 1 and looks_like_heading(lines[0], following):
            heading = (clean(lines[0]),)
            continue
        yield Block(heading, clean(paragraph))


def read_markdown(path: Path) -> tuple[str, dict[str, Any], list[Block]]:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    blocks = list(markdown_blocks(body))
    title = str(meta.get("title") or "")
    if not title:
        first = next((b.headings[0] for b in blocks if b.headings), "")
        title = first or path.stem.replace("-", " ").replace("_", " ").capitalize()
    return title, meta, blocks


def read_text(path: Path) -> tuple[str, dict[str, Any], list[Block]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    blocks = list(text_blocks(text))
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = clean(first_line) if 0 < len(first_line) <= 120 else path.stem
    return title, {}, blocks


def read_pdf(path: Path) -> tuple[str, dict[str, Any], list[Block]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = clean(str((info.get("/Title") if info is not None else None) or "")) or path.stem
    except (PdfReadError, OSError, ValueError) as exc:
        raise SearchError(f"cannot read PDF ({exc.__class__.__name__})") from exc
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        for block in text_blocks(page):
            blocks.append(Block((f"Page {number}", *block.headings), block.text))
    return title, {}, blocks


def read_html(path: Path) -> tuple[str, dict[str, Any], list[Block]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8", errors="replace"), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form", "aside"]):
        tag.decompose()
    title = clean(soup.title.get_text()) if soup.title else ""
    path_stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    root = soup.body or soup
    for element in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "td"]):
        text = clean(element.get_text(" "))
        if not text:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            level = int(element.name[1:])
            path_stack[:] = [(lvl, h) for lvl, h in path_stack if lvl < level]
            path_stack.append((level, text))
            title = title or text
        elif not element.find_parent(["li", "td"]) or element.name in {"li", "td"}:
            blocks.append(Block(tuple(h for _, h in path_stack), text))
    return title or path.stem, {}, blocks


READERS = {"markdown": read_markdown, "text": read_text, "pdf": read_pdf, "html": read_html}


def as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def read_document(path: Path, doc_id: str) -> Document:
    """Read one file of a supported kind into a Document."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise SearchError(f"{path.name}: unsupported file type")
    try:
        title, meta, blocks = READERS[kind](path)
    except SearchError as exc:
        raise SearchError(f"{path.name}: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SearchError(f"{path.name}: cannot read ({exc.__class__.__name__})") from exc
    sources = meta.get("sources") or ()
    return Document(
        doc_id=doc_id,
        path=path,
        kind=kind,
        title=title,
        blocks=blocks,
        topics=as_tuple(meta.get("topics")),
        audience=as_tuple(meta.get("audience")),
        sources=tuple(s for s in sources if isinstance(s, dict)),
        summary=str(meta.get("summary") or ""),
        meta=meta,
    )


def find_files(folders: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every supported file under `folders`, with a unique, stable document id."""
    found: list[tuple[Path, str]] = []
    seen: set[str] = set()
    for folder in folders:
        if not folder.is_dir():
            raise SearchError(f"knowledge folder not found: {folder}")
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.suffix.lower() not in SUFFIXES:
                continue
            if any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            doc_id = path.relative_to(folder).with_suffix("").as_posix()
            if doc_id in seen:
                doc_id = f"{folder.name}/{doc_id}"
            seen.add(doc_id)
            found.append((path, doc_id))
    return found


def read_folders(folders: Iterable[Path]) -> list[Document]:
    """Read every supported file; a file that can't be read is skipped and logged."""
    documents = []
    for path, doc_id in find_files(folders):
        try:
            documents.append(read_document(path, doc_id))
        except SearchError as exc:
            logger.warning("search.skip_file reason=%s", exc)
    return documents
