#!/usr/bin/env node
// Checks the built VSIX (default out/codex-governance.vsix, or the path given) against the allowlist
// in .vscodeignore (its "!" lines): every file under extension/ must match one of them. Prints the
// entries, the VSIX size (target <= 3 MB) and exits 1 on a file outside the allowlist or a missing
// must-have file. A VSIX is a zip: the entries are read from its central directory.
import { readFileSync, statSync } from 'node:fs';
import { join, matchesGlob } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const vsix = process.argv[2] ?? join(ROOT, 'out', 'codex-governance.vsix');
const SIZE_TARGET = 3 * 1024 * 1024;
const MUST_HAVE = ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/on-demand.js', 'extension/dist/agent-run.js', 'extension/dist/pg.js', 'extension/dist/search-build-worker.js', 'extension/LICENSE.txt', 'extension/images/icon.png'];
// vsce stores these repository files under other names.
const RENAMED = { 'LICENSE.txt': 'LICENSE', 'readme.md': 'README.md' };
// Written by vsce itself, not taken from the repository.
const VSCE_FILES = ['[Content_Types].xml', 'extension.vsixmanifest'];

/** Entry names from the zip's central directory (APPNOTE.TXT 4.3.12 / 4.3.16). */
function zipEntries(buf) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${vsix} is not a zip file (no end of central directory).`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${vsix}: bad central directory entry ${i}.`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const allow = readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l.startsWith('!'))
  .map((l) => l.slice(1));

let buf;
try {
  buf = readFileSync(vsix);
} catch (err) {
  console.error(`Cannot read ${vsix}: ${err.message}. Build it first with "npm run package".`);
  process.exit(1);
}
const entries = zipEntries(buf);
const problems = [];
for (const e of entries) {
  if (e.name.endsWith('/') || VSCE_FILES.includes(e.name)) continue;
  const inner = e.name.startsWith('extension/') ? e.name.slice('extension/'.length) : undefined;
  const rel = inner === undefined ? undefined : (RENAMED[inner] ?? inner);
  if (rel === undefined || !allow.some((g) => matchesGlob(rel, g))) problems.push(`not in the .vscodeignore allowlist: ${e.name}`);
}
for (const m of MUST_HAVE) if (!entries.some((e) => e.name === m)) problems.push(`missing: ${m}`);
const bytes = statSync(vsix).size;
for (const e of entries) console.log(`${String(e.size).padStart(10)}  ${e.name}`);
console.log(`\nVSIX ${vsix}: ${entries.length} entries, ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes; target <= 3 MB)`);
if (bytes > SIZE_TARGET) problems.push(`the VSIX is ${(bytes / 1024 / 1024).toFixed(2)} MB, over the 3 MB target`);
if (problems.length) {
  console.error(`\ncheck:vsix failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log('check:vsix: every file is on the allowlist.');
