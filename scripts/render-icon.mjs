#!/usr/bin/env node
// Renders images/icon.svg to images/icon.png (128x128, transparent corners), the icon package.json
// names: the Marketplace and the Extensions view need a PNG. Uses the headless chromium the
// code-server tests use (playwright-core); run it after changing the SVG and commit both files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, ROOT } from './setup-code-server.mjs';

const SIZE = 128;
const svg = readFileSync(join(ROOT, 'images', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${svg}`);
  const png = await page.locator('svg').screenshot({ omitBackground: true });
  writeFileSync(join(ROOT, 'images', 'icon.png'), png);
  console.log(`images/icon.png: ${png.length} bytes, ${SIZE}x${SIZE}`);
} finally {
  await browser.close();
}
