"""Documentation comments (`///` and `/* */`) and where Prisma attaches them.

Checked against Prisma's engine: at the top level, a block takes the doc comments of the comment
lines directly above it (a blank line breaks the run); inside a block, a declaration takes every doc
comment since the previous declaration, blank lines and `//` comments included; a trailing comment
on the declaration's own line is appended. Several docs join with a newline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastbackend.frontends.prisma.ast import Comment, Span


def comment_text(raw: str) -> str | None:
    """The documentation a comment token carries, or None for a plain `//` comment."""
    if raw.startswith("///"):
        return raw[3:].lstrip()
    if raw.startswith("/*"):
        return raw[2:-2].strip()
    return None


@dataclass
class CommentIndex:
    """Comments of one file, by line, to answer "which docs belong to the node on line L"."""

    comments: list[Comment] = field(default_factory=list)
    by_line: dict[int, list[Comment]] = field(default_factory=dict)
    by_end: dict[int, Comment] = field(default_factory=dict)

    def add(self, comment: Comment) -> None:
        self.comments.append(comment)
        self.by_line.setdefault(comment.span.line, []).append(comment)
        if comment.alone or comment.after_brace:
            # A comment after a block's closing brace starts the next block's comment run.
            self.by_end[comment.end_line] = comment

    def docs_before_block(self, line: int) -> list[str]:
        found: list[str] = []
        by_end = self.by_end
        current = line - 1
        while current in by_end:
            comment = by_end[current]
            if comment.kind_doc:
                found.append(comment.text)
            current = comment.span.line - 1
        return found[::-1]

    def docs_between(self, after_line: int, line: int) -> list[str]:
        """The last run of comment lines between the previous declaration and this one; a blank
        line between two comments starts a new run (one before the declaration does not)."""
        found = [c for number in range(after_line + 1, line) for c in self.by_line.get(number, ())
                 if c.alone and c.end_line < line]
        run: list[Comment] = []
        for comment in found:
            if run and comment.span.line > run[-1].end_line + 1:
                run = []
            run.append(comment)
        return [_follower_text(c) if index and c.indent else c.text
                for index, c in enumerate(run) if c.kind_doc]

    def trailing(self, line: int) -> list[str]:
        return [c.text for c in self.by_line.get(line, ()) if not c.alone and c.kind_doc]


def _follower_text(comment: Comment) -> str:
    """Prisma's quirk, checked against its engine: inside a block, a `/* */` comment that follows
    another comment is cut two characters from the start of the whitespace before it, not of the
    comment, so `  /* two */` documents as `/* two` and a tab-indented one as `* two`."""
    if comment.raw.startswith("/*"):
        return (comment.indent + comment.raw)[2:-2].strip()
    return comment.text


def make_comment(
    raw: str, span: Span, end_line: int, alone: bool, indent: str = "", after_brace: bool = False
) -> Comment:
    text = comment_text(raw)
    return Comment(text=text if text is not None else "", span=span, end_line=end_line,
                   alone=alone, kind_doc=text is not None, raw=raw, indent=indent,
                   after_brace=after_brace)


def follows_brace(text: str, start: int) -> bool:
    """Only a block's closing `}` precedes ``start`` on its line."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    return text[line_start:start].strip() == "}"


def join_docs(parts: list[str]) -> str | None:
    return "\n".join(parts) if parts else None


def is_alone(text: str, start: int) -> bool:
    """Nothing but whitespace precedes the comment on its line."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    return not text[line_start:start].strip()


def line_prefix(text: str, start: int) -> str:
    """The whitespace right before ``start`` on its line."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    before = text[line_start:start]
    return before[len(before.rstrip()):]


def rest_of_line(text: str, end: int) -> str:
    stops = [i for i in (text.find("\n", end), text.find("\r", end)) if i != -1]
    return text[end:min(stops)] if stops else text[end:]

