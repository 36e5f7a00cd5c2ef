"""Parsing knowledge documents: YAML front matter, heading tree, section chunks, kind detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_CHUNK_CHARS = 1500
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SRE = {
    "summary": ("summary", "executive summary", "overview"),
    "impact": ("impact",),
    "root_causes": ("root cause", "root causes", "root cause analysis"),
    "trigger": ("trigger",),
    "resolution": ("resolution", "resolution and recovery", "recovery"),
    "action_items": ("action items", "follow-up actions", "follow ups", "corrective actions"),
    "lessons": ("lessons learned", "lessons", "what went well", "what went wrong"),
}
_RUNBOOK_SECTIONS = ("meaning", "impact", "diagnosis", "mitigation")


@dataclass
class Section:
    """A heading path and the body text under it (until the next heading)."""

    path: list[str]
    body: str


@dataclass
class ParsedDoc:
    """A parsed document: front matter, title, sections and names that identify it."""

    front: dict[str, Any]
    title: str
    sections: list[Section]
    headings: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    """One retrievable piece of a document: heading path plus text."""

    index: int
    heading: str
    text: str


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter mapping, remaining text); invalid YAML front matter is ignored."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text[match.end():]
    return (data if isinstance(data, dict) else {}), text[match.end():]


def parse_markdown(text: str, fallback_title: str) -> ParsedDoc:
    """Split Markdown into sections by heading, ignoring '#' lines inside code fences."""
    front, body = split_front_matter(text)
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    in_fence = False
    headings: list[str] = []

    def flush() -> None:
        content = "\n".join(lines).strip()
        if content or stack:
            sections.append(Section([h for _, h in stack], content))
        lines.clear()

    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            flush()
            level, name = len(heading.group(1)), heading.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            headings.append(name)
        else:
            lines.append(line)
    flush()
    title = str(front.get("title") or "").strip()
    h1 = next((s.path[0] for s in sections if s.path), "")
    if not title:
        title = h1 or fallback_title
    return ParsedDoc(front=front, title=title, sections=[s for s in sections if s.body or s.path],
                     headings=headings)


def parse_text(text: str, fallback_title: str) -> ParsedDoc:
    """Plain text: the first non-empty line is the title, paragraphs form the body."""
    front, body = split_front_matter(text)
    first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    title = str(front.get("title") or "") or (first[:120] if first else fallback_title)
    return ParsedDoc(front=front, title=title, sections=[Section([], body.strip())])


def _split_long(body: str) -> list[str]:
    if len(body) <= MAX_CHUNK_CHARS:
        return [body]
    parts: list[str] = []
    current = ""
    for para in re.split(r"\n\s*\n", body):
        while len(para) > MAX_CHUNK_CHARS:
            parts.append(para[:MAX_CHUNK_CHARS])
            para = para[MAX_CHUNK_CHARS:]
        if current and len(current) + len(para) + 2 > MAX_CHUNK_CHARS:
            parts.append(current)
            current = para
        else:
            current = f"{current}\n\n{para}" if current else para
    if current:
        parts.append(current)
    return parts


def chunk_document(doc: ParsedDoc, prefix: str) -> list[Chunk]:
    """Chunk by section; each chunk carries `prefix` (folder/stem/title) and its heading path."""
    chunks: list[Chunk] = []
    for section in doc.sections:
        path = [p for p in section.path if p]
        if path and path[0] == doc.title:
            path = path[1:]
        heading = " > ".join([doc.title, *path])
        for piece in _split_long(section.body) if section.body else [""]:
            text = f"{prefix}\n{heading}\n{piece}".strip()
            chunks.append(Chunk(len(chunks), heading, text))
    if not chunks:
        chunks.append(Chunk(0, doc.title, f"{prefix}\n{doc.title}".strip()))
    return chunks


def _norm_heading(name: str) -> str:
    return re.sub(r"[^a-z ]+", "", name.lower()).strip()


def looks_like_postmortem(headings: list[str]) -> bool:
    """True when at least three Google-SRE postmortem sections appear among the headings."""
    normalized = {_norm_heading(h) for h in headings}
    found = {key for key, names in _SRE.items() if normalized & set(names)}
    return len(found) >= 3 and "root_causes" in found | ({"trigger"} & found)


def detect_kind(front: dict[str, Any], headings: list[str], rel_path: str) -> str:
    """Auto kind: front-matter `kind`, a folder named like postmortems, else SRE headings."""
    declared = str(front.get("kind") or "").strip().lower()
    if declared in {"runbook", "postmortem", "doc"}:
        return declared
    folders = rel_path.lower().split("/")[:-1]
    if any("postmortem" in f or "post-mortem" in f for f in folders):
        return "postmortem"
    if looks_like_postmortem(headings):
        return "postmortem"
    return "runbook"


def as_list(value: Any) -> list[str]:
    """Front-matter list or scalar as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)] if str(value).strip() else []
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, dict):
                name = item.get("name") or item.get("tool") or next(iter(item), None)
                if name:
                    out.append(str(name))
            elif item is not None and str(item).strip():
                out.append(str(item))
        return out
    return []


def parse_actions(value: Any) -> list[dict[str, Any]]:
    """Front-matter `actions:` as [{"tool": name, "args": {...}}] (names or mappings)."""
    actions: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else ([value] if value else []):
        if isinstance(item, str) and item.strip():
            actions.append({"tool": item.strip(), "args": {}})
        elif isinstance(item, dict):
            if "tool" in item or "name" in item:
                tool = item.get("tool") or item.get("name")
                args = item.get("args") or {}
            elif len(item) == 1:
                tool, args = next(iter(item.items()))
                args = args or {}
            else:
                continue
            if tool and isinstance(args, dict):
                actions.append({"tool": str(tool), "args": dict(args)})
    return actions
