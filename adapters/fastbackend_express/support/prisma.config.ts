// `prisma generate` for the library's fixture schema (the client lands in src/generated/, not kept).
import { defineConfig } from "prisma/config";

export default defineConfig({ schema: "prisma/schema.prisma" });
