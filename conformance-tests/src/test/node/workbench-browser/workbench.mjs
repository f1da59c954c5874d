// Drives the `tether web` workbench in real headless Chromium, as a user would: opens the one-time
// link, opens a Python file from the tree, waits for pyflakes' diagnostic, hovers, picks a completion,
// goes to a definition, saves an edit, and runs `echo hi` in the terminal. It then reads the Extensions
// panel (the caller's WORKSPACE/.tether/extensions.json declares alpha and beta and one bad entry, "broken"),
// adds an extension "gamma" to that manifest and waits for the panel to list it (the file watch's refresh).
//
// usage: node workbench.mjs URL WORKSPACE ARTEFACT_DIR [resume]
// With `resume`: after the link, `none declared` in the Extensions panel and a first `echo one` in the terminal, prints {"await": "cut"} and waits
// for a line on stdin (the caller cuts the connection to the agent meanwhile); then the status bar must
// have said "connection lost — reconnecting" and then "resumed", and the same terminal must still work.
// stdout: one JSON object per line: {"chromiumPid": N} first, then {"step": NAME} as each step passes,
// then {"done": true}; on a failure {"step": NAME, "error": TEXT, "screenshot": PATH} and exit status 1.
// Chromium runs with a user-data-dir of its own under ARTEFACT_DIR; the caller ends it by its pid too.

import puppeteer from 'puppeteer-core';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [url, workspace, artefacts, mode] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = 60_000;
mkdirSync(artefacts, { recursive: true });
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: join(artefacts, 'chromium-profile'),
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--window-size=1280,900'],
  defaultViewport: { width: 1280, height: 900 },
});
say({ chromiumPid: browser.process().pid });
const page = await browser.newPage();
page.setDefaultTimeout(STEP_TIMEOUT);
const consoleLines = [];
page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));

let current = 'start';
async function step(name, body) {
  current = name;
  await body();
  say({ step: name });
}

const file = `${workspace}/main.py`;
const statusText = () => page.$eval('#status', (e) => e.textContent);

try {
  await step('open the link', async () => {
    const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
    if (!page.url().endsWith('/')) throw new Error(`the link did not lead to the page but to ${page.url()} (${response?.status()})`);
    await page.waitForSelector('body[data-ready="true"]');
    const status = await statusText();
    if (!status.startsWith('connected to')) throw new Error(`status bar says '${status}'`);
  });

  const echo = async (word) => {
    await page.click('#terminal .xterm');
    await page.keyboard.type(`echo ${word}\n`);
    await page.waitForFunction((w) => [...document.querySelectorAll('#terminal .xterm-rows > div')]
      .some((row) => row.textContent.trim() === w), {}, word);
  };

  if (mode === 'resume') {
    // This workspace has no .tether/extensions.json.
    await step('see no extensions declared', () => page.waitForFunction(() =>
      document.querySelector('#extensions li.none')?.textContent.startsWith('none declared')));
    await step('echo one in the terminal', () => echo('one'));
    say({ await: 'cut' });
    const lines = createInterface({ input: process.stdin });
    await new Promise((resolve) => lines.once('line', resolve));
    lines.close(); // else stdin keeps node running after the browser closed
    await step('the page shows the loss', () => page.waitForFunction(() => window.workbench.statusLog()
      .some((s) => s.startsWith('connection lost — reconnecting'))));
    await step('the page shows the resumption', () => page.waitForFunction(() => {
      const log = window.workbench.statusLog();
      const lost = log.findIndex((s) => s.startsWith('connection lost'));
      return lost >= 0 && log.slice(lost).includes('resumed') && document.getElementById('status').textContent === 'resumed';
    }));
    await step('echo two in the same terminal', () => echo('two'));
  } else {
    await step('open a file from the tree', async () => {
      await page.click(`#tree .entry[data-path="${file}"]`);
      await page.waitForFunction((p) => document.getElementById('path').textContent.startsWith(p), {}, file);
      await page.waitForFunction(() => /pylsp: running/.test(document.getElementById('lsp').textContent));
    });

    await step('see a pyflakes diagnostic', async () => {
      await page.waitForFunction(() => [...document.querySelectorAll('#problems li')]
        .some((li) => li.textContent.includes("'os' imported but unused")));
    });

    await step('read the hover text', async () => {
      const at = await page.evaluate(() => window.workbench.coordsOf('greet', 1));
      await page.mouse.move(at.x, at.y);
      await page.waitForFunction(() => {
        const tip = document.querySelector('.cm-tooltip-hover');
        return tip && tip.textContent.includes('Says hello');
      });
    });

    await step('go to the definition', async () => {
      const at = await page.evaluate(() => window.workbench.coordsOf('greet', 1));
      await page.mouse.click(at.x, at.y);
      await page.keyboard.press('F12');
      await page.waitForFunction(() => document.getElementById('cursor').textContent === 'Ln 4, Col 5');
    });

    await step('pick a completion', async () => {
      await page.keyboard.down('Control');
      await page.keyboard.press('End');
      await page.keyboard.up('Control');
      await page.keyboard.type('\nos.pa');
      // Picked in one task of the page: the list is re-rendered as answers for "os.p" and "os.pa" arrive, and a
      // click placed by coordinates (two round trips away) could land on whatever took the option's place.
      await page.waitForFunction(() => {
        const li = [...document.querySelectorAll('.cm-tooltip-autocomplete li')]
          .find((item) => item.querySelector('.cm-completionLabel')?.textContent === 'path');
        li?.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true, button: 0 }));
        return li !== undefined;
      });
      await page.waitForFunction(() => window.workbench.text().endsWith('\nos.path'));
    });

    await step('save an edit', async () => {
      await page.keyboard.type('\n# saved from the browser\n');
      await page.keyboard.down('Control');
      await page.keyboard.press('s');
      await page.keyboard.up('Control');
      await page.waitForFunction((p) => document.getElementById('status').textContent === `saved ${p}`, {}, file);
    });

    await step('echo hi in the terminal', () => echo('hi'));

    const manifest = `${workspace}/.tether/extensions.json`;
    const panelHas = (texts) => page.waitForFunction((want) => {
      const lines = [...document.querySelectorAll('#extensions li')].map((li) => li.textContent);
      return want.every((w) => lines.includes(w));
    }, {}, texts);
    await step('see the workspace extensions', () => panelHas(['alpha (content-length)', 'beta (newline)',
      `${manifest}: extension "broken": "argv" must be a non-empty array of strings`]));

    await step('see an extension added to the manifest', async () => {
      const declared = JSON.parse(readFileSync(manifest, 'utf8'));
      declared.extensions.push({ name: 'gamma', argv: ['/bin/cat'] });
      writeFileSync(manifest, JSON.stringify(declared));
      await panelHas(['alpha (content-length)', 'beta (newline)', 'gamma (content-length)']);
    });
  }

  // What the page looked like at the end: kept beside any failure's screenshot, for a person to look at.
  await page.screenshot({ path: join(artefacts, `done-${mode ?? 'workbench'}.png`) });
  say({ done: true });
} catch (e) {
  const screenshot = join(artefacts, `failed-${current.replace(/\W+/g, '-')}.png`);
  let status = '';
  try {
    await page.screenshot({ path: screenshot, fullPage: true });
    status = await statusText();
  } catch (shot) {
    status = `(no screenshot: ${shot.message})`;
  }
  say({ step: current, error: `${e.message}; status bar: ${status}; console: ${consoleLines.slice(-10).join(' | ')}`, screenshot });
  process.exitCode = 1;
} finally {
  await browser.close();
}
