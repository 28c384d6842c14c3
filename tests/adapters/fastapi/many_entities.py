"""A Prisma schema of N models, for start-up scaling (test_startup_scaling.py, and
benchmarks/bench_startup.py): every model has scalars of several kinds, a unique column, an index
and a many-to-one relation to the previous model (so a to-many relation from it too)."""

from __future__ import annotations

HEADER = 'datasource db {\n  provider = "postgresql"\n}\n\nenum Status {\n  ACTIVE\n  ARCHIVED\n}\n'


def model(index: int, count: int) -> str:
    lines = [
        f"model Model{index:04d} {{",
        "  id        Int      @id @default(autoincrement())",
        "  code      String   @unique @db.VarChar(32)",
        "  title     String?",
        "  amount    Decimal  @default(0) @db.Decimal(12, 2)",
        "  active    Boolean  @default(true)",
        "  status    Status   @default(ACTIVE)",
        "  createdAt DateTime @default(now())",
    ]
    if index > 0:
        lines += ["  parentId  Int?",
                  f"  parent    Model{index - 1:04d}? @relation(fields: [parentId], references: [id])"]
    if index < count - 1:
        lines.append(f"  children  Model{index + 1:04d}[]")
    lines += ["", "  @@index([status, createdAt])", "}"]
    return "\n".join(lines) + "\n"


def schema(count: int) -> str:
    return HEADER + "".join("\n" + model(i, count) for i in range(count))
