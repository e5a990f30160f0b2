// The pages' frame: the navigation (#people, #search, #verify, #analyze),
// the API key and the gallery choice. Each page is built once, the first time
// it is shown, and keeps its state while another is shown.
import { apiKey, callJson, galleryName, setApiKey, setGalleryName } from './api.js';
import { gallerySwitched } from './gallery.js';
import { analyzePage } from './analyze.js';
import { peoplePage } from './people.js';
import { searchPage } from './search.js';
import { verifyPage } from './verify.js';

const pages = { people: peoplePage, search: searchPage, verify: verifyPage, analyze: analyzePage };
const built = new Map();

function show(name) {
  if (!pages[name]) name = 'people';
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== name;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const section = document.getElementById(name);
  if (!built.has(name)) built.set(name, pages[name](section));
  else built.get(name).shown?.();
  document.title = `${section.dataset.title} · facekit gallery`;
}

// What the server runs: its version and galleries (GET / as JSON). A 401
// opens the key panel.
async function describeServer() {
  const panel = document.getElementById('key-panel');
  try {
    const server = await callJson('GET', '/');
    document.getElementById('server-version').textContent = `facekit ${server.version}`;
    const choice = document.querySelector('.gallery-choice');
    const select = document.getElementById('gallery');
    select.replaceChildren(...server.galleries.map((g) => {
      const option = document.createElement('option');
      option.value = g.name;
      option.textContent = g.name;
      return option;
    }));
    if (galleryName() && server.galleries.some((g) => g.name === galleryName())) select.value = galleryName();
    choice.hidden = server.galleries.length < 2;
  } catch (error) {
    if (error.status === 401) panel.open = true;
  }
}

function start() {
  const keyInput = document.getElementById('api-key');
  keyInput.value = apiKey();
  document.getElementById('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setApiKey(keyInput.value.trim());
    document.getElementById('key-panel').open = false;
    gallerySwitched();
    describeServer();
    for (const page of built.values()) page.refresh?.();
  });
  document.getElementById('gallery').addEventListener('change', (event) => {
    setGalleryName(event.target.value);
    gallerySwitched();
    for (const page of built.values()) page.refresh?.();
  });
  window.addEventListener('hashchange', () => show(window.location.hash.slice(1)));
  describeServer();
  show(window.location.hash.slice(1));
}

start();
