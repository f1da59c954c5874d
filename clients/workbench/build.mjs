// Builds the workbench page: type-checks with tsc, bundles src/main.ts (with @tether/client from
// ../typescript/src, CodeMirror and xterm.js) into one script and one stylesheet with esbuild, and copies
// index.html next to them. Output: $WORKBENCH_OUT (the Maven build sets it to bridge-local's classes) or dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const dir of [here, join(here, '..', 'typescript')]) {
  if (!existsSync(join(dir, 'node_modules'))) {
    console.error(`workbench: ${join(dir, 'node_modules')} is missing: run 'npm ci' in ${dir} (./run-tests does)`);
    process.exit(1);
  }
}
const out = resolve(process.env.WORKBENCH_OUT ?? join(here, 'dist'));
mkdirSync(out, { recursive: true });

execFileSync(join(here, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });
const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  outfile: join(out, 'workbench.js'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
copyFileSync(join(here, 'public', 'index.html'), join(out, 'index.html'));
console.log(`workbench: built into ${out}`);
