// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "out/", "docs/", "cdk.out/", "infra/build/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "error",
    },
  },
  {
    // Code a newcomer can read: small functions, files of one concern. Tests and generated files
    // (long tables of cases) aside.
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts", "src/**/*.cases.ts", "src/**/*.testing.ts"],
    rules: {
      "max-lines-per-function": [
        "error",
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
      "max-lines": ["error", { max: 500, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Scripts and tests talk to the terminal directly.
    files: ["demo/**", "bench/**", "scripts/**", "infra/app.ts", "test/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
  { files: ["eslint.config.js", "**/*.mjs"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.mjs"], languageOptions: { globals: { process: "readonly" } } },
);
