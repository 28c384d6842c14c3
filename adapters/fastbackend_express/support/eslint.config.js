// ESLint for the Express support library and its tests: ESLint's recommended rules and
// typescript-eslint's type-aware ones (they read tsconfig.json, so `tsc` and the linter see the
// same program). The generated Prisma Client and the compiled output are not ours to lint.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/", "src/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  // Express calls an error handler only when it declares all four parameters, `_next` included.
  { rules: { "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }] } },
  // node:test's test() and describe() return promises the runner itself awaits.
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-floating-promises": ["error", {
        allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe"] }],
      }],
    },
  },
  // The tools' own configuration files are outside tsconfig.json's program.
  { files: ["eslint.config.js", "prisma.config.ts"], ...tseslint.configs.disableTypeChecked },
);
