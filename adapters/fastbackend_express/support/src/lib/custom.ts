// Your code lives in src/custom/: every module there whose default export is a function
// `(app, prisma) => void | Promise<void>` is called at startup, in file-name order, before the
// generated routes are mounted, so a custom route for the same method and path wins.
// fastbackend never writes into src/custom/.
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Express } from "express";
import type { PrismaClient } from "../generated/prisma/client.js";

export type CustomSetup = (app: Express, prisma: PrismaClient) => void | Promise<void>;

const CUSTOM_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "custom");
const MODULE = /^[^_.].*(?<!\.d)\.(js|mjs|ts)$/;

async function customModules(): Promise<string[]> {
  try {
    return (await readdir(CUSTOM_DIR)).filter((name) => MODULE.test(name)).sort();
  } catch {
    return []; // no src/custom/ folder: nothing to add
  }
}

export async function loadCustom(app: Express, prisma: PrismaClient): Promise<string[]> {
  const loaded: string[] = [];
  for (const name of await customModules()) {
    const module: unknown = await import(pathToFileURL(join(CUSTOM_DIR, name)).href);
    const setup = typeof module === "object" && module !== null && "default" in module ? module.default : undefined;
    if (typeof setup !== "function") {
      throw new Error(`src/custom/${name} must default-export a function (app, prisma) => void`);
    }
    await (setup as CustomSetup)(app, prisma);
    loaded.push(name);
  }
  return loaded;
}
