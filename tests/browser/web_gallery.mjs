// The web gallery of `facekit serve` in a real browser (registered in
// CMakeLists.txt as web_gallery_browser): Debian's headless Chromium, driven
// by puppeteer-core (pinned in tests/browser/package-lock.json), against a
// server on loopback with an API key. Through the pages, as a person would:
//   - the key: without one the page says it is needed; typed in, it works;
//     a search of the still empty gallery says so as a sentence;
//   - People: three people added by choosing or dropping photos, a faceless
//     photo refused with a sentence, thumbnails and vector counts shown, a
//     rename, a removal that asks first (cancel keeps, confirm removes);
//   - Search: a group photo with every face boxed and labelled; identities,
//     boxes and candidate distances checked against `facekit find` on the same
//     gallery (the CLI, not the page's code); each candidate's thumbnail shown;
//   - Verify: the same person and two people, the verdict and the distance
//     checked against `facekit verify`, the distance on the right side of the
//     threshold mark;
//   - Analyze (opened with the keyboard only): every face with age ± spread,
//     gender, emotion, race and liveness; ages checked against `facekit analyze`;
//   - a phone-sized window (no sideways scrolling), no request leaving
//     loopback, no script error.
// A screenshot of each page is written to OUT (the build tree) as evidence.
// Skips (exit 77) when Chromium, puppeteer-core or the models are missing.
//   node tests/browser/web_gallery.mjs path/to/facekit OUT
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [facekitArg, outArg] = process.argv.slice(2);
if (!facekitArg || !outArg) {
  console.error('usage: node web_gallery.mjs path/to/facekit OUT');
  process.exit(2);
}
const facekit = path.resolve(facekitArg);
const out = path.resolve(outArg);
const skip = (why) => { console.log(`SKIP: ${why}`); process.exit(77); };

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!chromium) skip('Chromium is not installed (apt-get install chromium; scripts/setup.sh does)');
let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  skip('puppeteer-core is not installed (cd tests/browser && npm ci; scripts/setup.sh does)');
}
const models = process.env.FACEKIT_MODELS || path.join(os.homedir(), '.cache', 'facekit');
for (const id of ['mobilefacenet', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet', 'faceapi-ssd-mobilenetv1', 'faceapi-landmark68',
                  'faceapi-age-gender', 'faceapi-expression', 'human-gear', 'human-emotion', 'human-faceres',
                  'human-antispoof', 'human-liveness', 'faceapi-samples']) {
  try { execFileSync(facekit, ['models', 'check', id], { stdio: 'ignore' }); } catch { skip(`model ${id} is not installed`); }
}

const KEY = 'web-gallery-test-key-0123456789';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facekit-web-'));
fs.mkdirSync(out, { recursive: true });
const golden = path.join(here, '..', 'golden', 'embed');
const photo = (name) => path.join(work, name);
for (const name of ['sample1-224.png', 'sample1-150.png', 'sample3-224.png', 'sample5-224.png']) {
  fs.copyFileSync(path.join(golden, name), photo(name));
}
fs.copyFileSync(path.join(models, 'faceapi-samples', 'sample1.jpg'), photo('group.jpg'));
fs.writeFileSync(path.join(work, 'keys'), `${KEY}\n`);

let server = null;
let browser = null;
function cleanUp() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanUp);
// Bounded: a hung page or server fails the test rather than the CI run.
const deadline = setTimeout(() => { console.error('FAIL: over 360 s'); browser?.process()?.kill('SIGKILL'); process.exit(1); }, 360_000);

function check(condition, what) {
  if (!condition) throw new Error(what);
}
const near = (a, b, tolerance) => Math.abs(a - b) <= tolerance;

// The server, on a free loopback port, with a key.
const db = path.join(work, 'g.db');
server = spawn(facekit, ['serve', '--port', '0', '--threads', '1', '--db', db, '--keys', path.join(work, 'keys')],
  { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
const origin = await new Promise((resolve, reject) => {
  server.stderr.on('data', (chunk) => {
    serverLog += chunk;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverLog);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`facekit serve exited (${code}): ${serverLog}`)));
});
console.log(`server at ${origin}`);
const cli = (...args) => JSON.parse(execFileSync(facekit, [...args, '--threads', '1'], { encoding: 'utf8' }));

const failures = [];
let page;
try {
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // Root in a container has no sandbox; names other than loopback resolve nowhere.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
           '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  const elsewhere = [];
  const scriptErrors = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) {
      elsewhere.push(request.url());
    }
  });
  page.on('pageerror', (error) => scriptErrors.push(String(error)));
  const text = (selector) => page.$eval(selector, (e) => e.textContent);
  const shot = async (name) => {
    await page.evaluate(() => document.activeElement?.blur());
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  };
  const visibleError = (section) => page.$eval(`#${section} .error`, (e) => (e.hidden ? '' : e.textContent));
  const settle = (section) => page.waitForFunction(
    (s) => !document.querySelector(`#${s} .status.busy`), { timeout: 60_000 }, section);
  const upload = async (selector, ...files) => {
    const input = await page.waitForSelector(`${selector} input[type=file]`);
    await input.uploadFile(...files.map(photo));
  };

  // --- Without the key: the page says one is needed, as a sentence.
  await page.goto(`${origin}/`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => !document.querySelector('#people .error').hidden);
  const keyError = await visibleError('people');
  check(/needs an API key/.test(keyError), `no sentence asking for the key: "${keyError}"`);
  check(await page.$eval('#key-panel', (d) => d.open), 'the key panel is not opened on a 401');
  await page.type('#api-key', KEY);
  await page.click('#key-form button[type=submit]');
  await page.waitForFunction(() => /enrolled yet/.test(document.querySelector('#people .summary').textContent));
  check(await page.evaluate(() => localStorage.getItem('facekit.apiKey')) === 'web-gallery-test-key-0123456789',
    'the key is not kept in localStorage');

  // A search before anyone is enrolled: said as a sentence, not as the API's message.
  await page.evaluate(() => { window.location.hash = '#search'; });
  await upload('#search-photo', 'group.jpg');
  await page.waitForFunction(() => !document.querySelector('#search .error').hidden, { timeout: 30_000 });
  const emptyError = await visibleError('search');
  check(emptyError === 'No one is enrolled in this gallery yet: add people on the People page first.',
    `searching an empty gallery: "${emptyError}"`);
  await page.evaluate(() => { window.location.hash = '#people'; });

  // --- People: add three people (choosing files, and dropping one).
  const addPerson = async (name, ...files) => {
    await page.type('#new-name', name);
    await upload('#new-photos', ...files);
    await page.click('.add-person button[type=submit]');
    await page.waitForFunction((n) => document.querySelector(`#people li.person[data-name="${n}"]`), { timeout: 60_000 }, name);
    await settle('people');
  };
  await addPerson('Ann', 'sample1-224.png', 'sample1-150.png');
  await addPerson('Cy', 'sample5-224.png');
  // Bea's photo dropped on the zone (a DataTransfer with the file, as a drag from the desktop gives).
  await page.type('#new-name', 'Bea');
  const beaBytes = fs.readFileSync(photo('sample3-224.png')).toString('base64');
  await page.$eval('#new-photos', (zone, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'sample3-224.png', { type: 'image/png' }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, beaBytes);
  check(/1 photo chosen: sample3-224\.png/.test(await text('#people .chosen')), 'a dropped photo is not taken');
  await page.click('.add-person button[type=submit]');
  await page.waitForSelector('#people li.person[data-name="Bea"]', { timeout: 60_000 });
  await settle('people');

  // A photo with no face: refused, said as a sentence, nobody added.
  await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 160; canvas.height = 160;
    const g = canvas.getContext('2d');
    g.fillStyle = '#8899aa'; g.fillRect(0, 0, 160, 160);
    return new Promise((resolve) => canvas.toBlob((b) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([b], 'wall.png', { type: 'image/png' }));
      document.getElementById('new-photos').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
      resolve();
    }, 'image/png'));
  });
  await page.$eval('#new-name', (i) => { i.value = ''; });
  await page.type('#new-name', 'Nobody');
  await page.click('.add-person button[type=submit]');
  await settle('people');
  const faceless = await visibleError('people');
  check(/No face was found in wall\.png\./.test(faceless), `a faceless photo is not refused with a sentence: "${faceless}"`);
  check(!(await page.$('#people li.person[data-name="Nobody"]')), 'a faceless photo created a person');

  // Counts and thumbnails, against the API's own list.
  const people = await page.$$eval('#people li.person', (items) => items.map((li) => ({
    name: li.dataset.name,
    count: Number(li.querySelector('.vector-count').textContent),
    thumbs: [...li.querySelectorAll('img.thumb')].length,
  })));
  check(JSON.stringify(people) === JSON.stringify([
    { name: 'Ann', count: 2, thumbs: 2 }, { name: 'Bea', count: 1, thumbs: 1 }, { name: 'Cy', count: 1, thumbs: 1 }]),
  `people shown: ${JSON.stringify(people)}`);
  await page.waitForFunction(() => [...document.querySelectorAll('#people img.thumb')].every((i) => i.complete && i.naturalWidth > 0),
    { timeout: 20_000 });

  // Rename Cy with the keyboard (Enter submits), then remove someone: asked first.
  await page.click('#people li.person[data-name="Cy"] .rename-button');
  await page.keyboard.down('Control'); await page.keyboard.press('A'); await page.keyboard.up('Control');
  await page.keyboard.type('Cy Young');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#people li.person[data-name="Cy Young"]');
  await settle('people');
  const subjects = await (await fetch(`${origin}/api/v1/recognition/subjects`, { headers: { 'x-api-key': KEY } })).json();
  check(JSON.stringify(subjects.subjects) === '["Ann","Bea","Cy Young"]', `the server's subjects: ${JSON.stringify(subjects)}`);
  // Someone to remove (a subject without faces, added through the API).
  await fetch(`${origin}/api/v1/recognition/subjects`, {
    method: 'POST', headers: { 'x-api-key': KEY, 'Content-Type': 'application/json' }, body: '{"subject": "Temp"}',
  });
  await page.evaluate(() => { window.location.hash = '#search'; });
  await page.evaluate(() => { window.location.hash = '#people'; });  // shown again: read again
  await page.waitForSelector('#people li.person[data-name="Temp"]');
  await page.click('#people li.person[data-name="Temp"] .remove-button');
  await page.waitForSelector('dialog.confirm[open]');
  check(/Remove Temp and their 0 stored faces\? This cannot be undone\./.test(await text('dialog.confirm p')),
    `the confirmation: ${await text('dialog.confirm p')}`);
  await page.click('dialog.confirm button[value=cancel]');
  await page.waitForSelector('dialog.confirm:not([open])');
  check(await page.$('#people li.person[data-name="Temp"]'), 'cancelling removed the person');
  await page.click('#people li.person[data-name="Temp"] .remove-button');
  await page.waitForSelector('dialog.confirm[open]');
  await page.click('dialog.confirm button[value=remove]');
  await page.waitForFunction(() => !document.querySelector('#people li.person[data-name="Temp"]'));
  await settle('people');
  check(/Temp was removed\./.test(await text('#people .status')), 'no sentence after the removal');
  await page.waitForFunction(() => [...document.querySelectorAll('#people img.thumb')].every((i) => i.complete && i.naturalWidth > 0));
  await shot('people');

  // --- Search: the group photo, checked against `facekit find` on the same gallery.
  await page.goto(`${origin}/#search`, { waitUntil: 'networkidle0' });
  await upload('#search-photo', 'group.jpg');
  await page.waitForSelector('#search .face-result', { timeout: 60_000 });
  await settle('search');
  await page.waitForFunction(() => [...document.querySelectorAll('#search img.thumb')].every((i) => i.complete && i.naturalWidth > 0),
    { timeout: 20_000 });
  const found = cli('find', photo('group.jpg'), '--db', db);
  const shown = await page.$$eval('#search .photo .face-box', (boxes) => {
    const img = document.querySelector('#search .photo-img');
    const r = img.getBoundingClientRect();
    const scale = img.naturalWidth / r.width;
    return boxes.map((b) => {
      const q = b.getBoundingClientRect();
      return { identity: b.dataset.identity, kind: b.className, label: b.textContent,
               x: (q.left - r.left) * scale, y: (q.top - r.top) * scale, width: q.width * scale };
    });
  });
  check(shown.length === found.faces.length && found.faces.length === 3,
    `${shown.length} boxes shown, ${found.faces.length} faces found by the CLI`);
  const cards = await page.$$eval('#search .face-result', (items) => items.map((li) => ({
    identity: li.dataset.identity,
    candidates: [...li.querySelectorAll('.candidate')].map((c) => ({
      identity: c.dataset.identity, imageId: c.dataset.imageId,
      distance: Number.parseFloat(c.querySelector('.candidate-distance').textContent) })),
  })));
  found.faces.forEach((face, i) => {
    const expected = face.identity ?? 'unknown';
    check(shown[i].identity === expected && shown[i].label.includes(expected), `face ${i + 1}: ${JSON.stringify(shown[i])}, CLI ${expected}`);
    check(shown[i].kind.includes(face.identity ? 'known' : 'unknown'), `face ${i + 1} is drawn as ${shown[i].kind}`);
    // The box where the CLI found the face (within the border's width, in the photo's pixels).
    check(near(shown[i].x, face.face.box.x, 8) && near(shown[i].y, face.face.box.y, 8) && near(shown[i].width, face.face.box.width, 8),
      `face ${i + 1}'s box ${JSON.stringify(shown[i])} is not the CLI's ${JSON.stringify(face.face.box)}`);
    check(cards[i].identity === expected, `face ${i + 1}'s card says ${cards[i].identity}`);
    check(cards[i].candidates.length === face.candidates.length, `face ${i + 1}: ${cards[i].candidates.length} candidates shown`);
    face.candidates.forEach((c, j) => {
      check(cards[i].candidates[j].identity === c.identity && near(cards[i].candidates[j].distance, c.distance, 0.0006),
        `face ${i + 1}, candidate ${j + 1}: ${JSON.stringify(cards[i].candidates[j])}, CLI ${JSON.stringify(c)}`);
    });
  });
  check(found.faces.some((f) => f.identity === 'Ann') && found.faces.some((f) => f.identity === null),
    'the group photo should hold Ann and someone unknown');
  // Each candidate's thumbnail is their stored face nearest to the face searched
  // for: recomputed here from `facekit represent`'s vectors (image_ids follow the
  // upload order), and at the candidate's distance (aggregation "best").
  const uploads = { Ann: ['sample1-224.png', 'sample1-150.png'], Bea: ['sample3-224.png'], 'Cy Young': ['sample5-224.png'] };
  const stored = await (await fetch(`${origin}/api/v1/recognition/faces?size=100`, { headers: { 'x-api-key': KEY } })).json();
  const storedVectors = [];
  for (const [subject, files] of Object.entries(uploads)) {
    const ids = stored.faces.filter((f) => f.subject === subject).map((f) => Number(f.image_id)).sort((a, b) => a - b);
    check(ids.length === files.length, `${subject} has ${ids.length} stored faces`);
    files.forEach((file, i) => storedVectors.push({ subject, id: String(ids[i]), vector: cli('represent', photo(file), '--face', 'center').faces[0].embedding }));
  }
  const cosine = (a, b) => {
    let dot = 0, na = 0, nb = 0;
    for (let i = 0; i < a.length; i += 1) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
    return 1 - dot / Math.sqrt(na * nb);
  };
  check(found.metric === 'cosine', `the gallery's metric is ${found.metric}, this check computes cosine`);
  const queries = cli('represent', photo('group.jpg')).faces;
  found.faces.forEach((face, i) => {
    const query = queries.find((q) => near(q.box.x, face.face.box.x, 1) && near(q.box.y, face.face.box.y, 1));
    check(query, `face ${i + 1} is not among represent's faces`);
    cards[i].candidates.forEach((c) => {
      const [nearest] = storedVectors.filter((v) => v.subject === c.identity)
        .map((v) => ({ id: v.id, distance: cosine(query.embedding, v.vector) })).sort((a, b) => a.distance - b.distance);
      check(c.imageId === nearest.id && near(c.distance, nearest.distance, 0.002),
        `face ${i + 1}, ${c.identity}: thumbnail ${c.imageId} at ${c.distance}, nearest stored face ${JSON.stringify(nearest)}`);
    });
  });
  await shot('search');

  // --- Verify: the same person, then two people; against `facekit verify`.
  await page.goto(`${origin}/#verify`, { waitUntil: 'networkidle0' });
  const verify = async (a, b) => {
    await upload('#verify-photo-a', a);
    await upload('#verify-photo-b', b);
    await page.waitForSelector('#verify .verdict-line', { timeout: 60_000 });
    await settle('verify');
    const cliAnswer = cli('verify', photo(a), photo(b));
    const view = await page.evaluate(() => ({
      verified: document.querySelector('#verify .verdict-line').dataset.verified,
      verdict: document.querySelector('#verify .verdict-line').textContent,
      explain: document.querySelector('#verify .explain').textContent,
      boxes: document.querySelectorAll('#verify .face-box.chosen').length,
      dot: Number.parseFloat(document.querySelector('#verify .scale-distance').style.left),
      mark: Number.parseFloat(document.querySelector('#verify .scale-threshold').style.left),
    }));
    check(view.verified === String(cliAnswer.verified), `verify ${a} ${b}: the page says ${view.verified}, the CLI ${cliAnswer.verified}`);
    check(view.boxes === 2, `verify ${a} ${b}: ${view.boxes} faces boxed`);
    check(view.explain.includes(`Distance ${cliAnswer.distance.toFixed(3)}`), `verify ${a} ${b}: "${view.explain}", CLI ${cliAnswer.distance}`);
    check((view.dot <= view.mark) === cliAnswer.verified, `verify ${a} ${b}: the distance is drawn on the wrong side (${view.dot} vs ${view.mark})`);
    return view;
  };
  const different = await verify('sample1-150.png', 'sample3-224.png');
  check(/Different people/.test(different.verdict), `two people: "${different.verdict}"`);
  const same = await verify('sample1-150.png', 'sample1-224.png');
  check(/Same person/.test(same.verdict), `one person: "${same.verdict}"`);
  await shot('verify');

  // --- Analyze, reached and driven by the keyboard alone.
  await page.goto(`${origin}/#people`, { waitUntil: 'networkidle0' });
  await page.focus('nav a[data-page="analyze"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#analyze-photo');
  // Enter on the focused drop zone opens the file chooser (its input is clicked).
  await page.$eval('#analyze-photo input[type=file]', (input) => {
    input.addEventListener('click', (event) => { event.preventDefault(); window.chooserOpened = true; }, { once: true });
  });
  await page.focus('#analyze-photo');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => window.chooserOpened === true), 'Enter on the drop zone does not open the file chooser');
  await upload('#analyze-photo', 'group.jpg');
  await page.waitForSelector('#analyze .analysis', { timeout: 120_000 });
  await settle('analyze');
  const analysed = cli('analyze', photo('group.jpg'), '--actions', 'age,gender,emotion,race,spoof');
  const analyses = await page.$$eval('#analyze .analysis', (items) => items.map((li) => ({
    age: li.querySelector('[data-attribute=age] .value')?.textContent,
    attributes: [...li.querySelectorAll('[data-attribute]')].map((a) => a.dataset.attribute),
    ageAgreement: li.querySelector('[data-attribute=age] .agreement')?.textContent,
  })));
  check(analyses.length === analysed.faces.length && analyses.length === 3, `${analyses.length} faces analysed on the page`);
  analysed.faces.forEach((face, i) => {
    check(analyses[i].age === `${Math.round(face.age.years)} ± ${Math.round(face.age.uncertainty)} years`,
      `face ${i + 1}'s age: "${analyses[i].age}", CLI ${JSON.stringify(face.age)}`);
    check(JSON.stringify(analyses[i].attributes) === '["age","gender","emotion","race","liveness"]',
      `face ${i + 1}'s attributes: ${analyses[i].attributes}`);
    check(/models agree \d+ %/.test(analyses[i].ageAgreement || ''), `face ${i + 1}: no agreement for the age`);
  });
  check(await page.$$eval('#analyze .photo .face-box', (b) => b.length) === 3, 'the analysed faces are not boxed');
  await shot('analyze');

  // --- A phone-sized window: every page fits its width.
  await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  for (const name of ['people', 'search', 'verify', 'analyze']) {
    await page.evaluate((n) => { window.location.hash = `#${n}`; }, name);
    await page.waitForFunction((n) => !document.getElementById(n).hidden, {}, name);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `${name} is ${width} px wide in a 390 px window`);
  }
  await page.evaluate(() => { window.location.hash = '#search'; });
  await upload('#search-photo', 'group.jpg');
  await page.waitForSelector('#search .face-result', { timeout: 60_000 });
  await settle('search');
  await page.waitForFunction(() => [...document.querySelectorAll('#search img.thumb')].every((i) => i.complete && i.naturalWidth > 0));
  check(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'a search result is wider than the phone');
  await shot('search-phone');

  check(elsewhere.length === 0, `requests left the server: ${elsewhere.join(', ')}`);
  check(scriptErrors.length === 0, `script errors: ${scriptErrors.join('; ')}`);
} catch (error) {
  failures.push(error.message);
  if (page) await page.screenshot({ path: path.join(out, 'failure.png'), fullPage: true }).catch(() => {});
} finally {
  await browser?.close();
  clearTimeout(deadline);
}
if (failures.length) {
  console.log(`FAIL: ${failures.join('\n')}\nserver log:\n${serverLog}`);
  process.exit(1);  // the exit handler stops the server
}
console.log(`PASS (screenshots in ${out})`);
process.exit(0);
