"""prisma/schema.prisma from the user's own schema, when the source was one Prisma file.

The models, enums, views, comments and layout are the user's; two things change for the
emitted project, which builds with Prisma 7 on PostgreSQL:

- the generator: every generator block is replaced by the project's one (``prisma-client`` into
  src/generated/prisma, ESM for tsc), keeping the preview features the user's client generator
  asked for; other generators (ERD, docs, ...) need packages the project does not install;
- the datasource: ``url``, ``directUrl`` and ``shadowDatabaseUrl`` are Prisma 6 settings that
  Prisma 7 refuses there (the URL is in prisma.config.ts and src/db.ts).

Anything else (a schema in several files, another database than PostgreSQL, a realtime feed,
whose image models need relation fields on the user's models: images.py) is printed from the IR
instead, as for a SQLAlchemy source.
"""

from __future__ import annotations

import re

from fastbackend_express.prisma_schema import HEADER, previews, render_generator
from fastbackend_ir import IR
from fastbackend_ir.target import SourceTexts

# A block with the blank lines after it (so removing one leaves no gap).
_BLOCK = re.compile(r"^[ \t]*(generator|datasource)[ \t]+(\w+)[ \t]*\{.*?^[ \t]*\}"
                    r"[ \t]*(?:\n[ \t]*)*(?:\n|$)", re.MULTILINE | re.DOTALL)
_CLIENT = re.compile(r'^\s*provider\s*=\s*"prisma-client(?:-js)?"', re.MULTILINE)
_PREVIEWS = re.compile(r"^\s*previewFeatures\s*=\s*\[(.*?)\]", re.MULTILINE | re.DOTALL)
_URL_SETTING = re.compile(r"^[ \t]*(?:url|directUrl|shadowDatabaseUrl)[ \t]*=.*(?:\n|$)",
                          re.MULTILINE)


def user_schema(ir: IR, sources: SourceTexts) -> str | None:
    """The user's schema adjusted for the emitted project, or None to print one from the IR."""
    if ir.source.language != "prisma" or len(ir.source.files) != 1:
        return None
    if ir.database is None or ir.database.provider != "postgresql":
        return None
    if ir.events is not None and ir.events.image_tables:
        return None
    name = ir.source.files[0]
    text = sources.get(name)
    if text is None:
        return None
    wanted = set(previews(ir))
    dropped: list[str] = []

    def adjust(block: re.Match[str]) -> str:
        if block.group(1) == "datasource":
            return _URL_SETTING.sub("", block.group(0))
        if _CLIENT.search(block.group(0)):
            wanted.update(_preview_features(block.group(0)))
        else:
            dropped.append(block.group(2))
        return ""

    body = _BLOCK.sub(adjust, text.replace("\r\n", "\n")).strip("\n")
    notes = [HEADER, f"// The source schema, {name}, with the project's generator; a datasource "
             "url is Prisma 7's prisma.config.ts."]
    notes += [f"// Generator {generator} of {name} left out: the project builds Prisma Client only."
              for generator in dropped]
    return "\n".join(notes) + "\n" + render_generator(wanted) + "\n\n" + body + "\n"


def _preview_features(block: str) -> list[str]:
    found = _PREVIEWS.search(block)
    return re.findall(r'"([^"]*)"', found.group(1)) if found else []
