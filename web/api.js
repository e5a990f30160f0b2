// The service's HTTP API as the pages use it: the same routes and API key as
// any client (the key is kept in this browser's localStorage), and every
// error turned into a sentence a person can act on.

const KEY_ITEM = 'facekit.apiKey';
const GALLERY_ITEM = 'facekit.gallery';

export function apiKey() { return localStorage.getItem(KEY_ITEM) || ''; }
export function setApiKey(key) {
  if (key) localStorage.setItem(KEY_ITEM, key); else localStorage.removeItem(KEY_ITEM);
}
// The gallery the pages work on ('' : the server's first).
export function galleryName() { return localStorage.getItem(GALLERY_ITEM) || ''; }
export function setGalleryName(name) {
  if (name) localStorage.setItem(GALLERY_ITEM, name); else localStorage.removeItem(GALLERY_ITEM);
}

export class ApiError extends Error {
  constructor(sentence, status = 0, code = 0) {
    super(sentence);
    this.status = status;
    this.code = code;
  }
}

function asSentence(text) {
  const trimmed = String(text).trim();
  if (!trimmed) return '';
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : capital + '.';
}

// The sentence for an error answer {error, message, code} with `status`.
export function errorSentence(status, body) {
  const message = (body && body.message) || '';
  if (status === 401) {
    return apiKey()
      ? 'The server did not accept this API key. Check it under “API key” at the top of the page.'
      : 'This server needs an API key. Enter it under “API key” at the top of the page.';
  }
  if (body && body.code === 28) {
    const noFace = /^(.*): no face found/.exec(message);
    return noFace ? `No face was found in ${noFace[1]}. Try a photo where the face is larger and facing the camera.`
                  : 'No face was found in the photo.';
  }
  if (/holds no faces of model/.test(message)) {
    return 'No one is enrolled in this gallery yet: add people on the People page first.';
  }
  if (status === 413) return 'The photo is larger than this server accepts. Try a smaller one.';
  if (status === 503) return 'The server is busy. Try again in a moment.';
  return asSentence(message) || `The server answered with HTTP status ${status}.`;
}

// Calls the API: METHOD path, with `query` parameters, and a `form`
// (FormData) or `json` body. `gallery`: add the chosen gallery. Returns the
// Response; throws ApiError with a sentence.
export async function call(method, path, { query = {}, form, json, gallery = false } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  if (gallery && galleryName()) url.searchParams.set('gallery', galleryName());
  const headers = { Accept: 'application/json' };
  if (apiKey()) headers['x-api-key'] = apiKey();
  let body;
  if (form) body = form;
  if (json !== undefined) {
    body = JSON.stringify(json);
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body });
  } catch {
    throw new ApiError('The server could not be reached. Is facekit serve still running?');
  }
  if (!response.ok) {
    let answer = null;
    try { answer = await response.json(); } catch { /* not JSON: the status says enough */ }
    throw new ApiError(errorSentence(response.status, answer), response.status, answer ? answer.code : 0);
  }
  return response;
}

export async function callJson(method, path, options) {
  return (await call(method, path, options)).json();
}

// A FormData of `fields` (a File value is sent as a file).
export function formOf(fields) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== '') form.append(name, value);
  }
  return form;
}

// Object URLs of stored faces' thumbnails, fetched with the key (an <img src>
// cannot send one), by image_id.
const thumbnails = new Map();
export function thumbnailUrl(imageId) {
  if (!thumbnails.has(imageId)) {
    const url = call('GET', `/api/v1/recognition/faces/${encodeURIComponent(imageId)}/img`, { gallery: true })
      .then(async (response) => URL.createObjectURL(await response.blob()));
    url.catch(() => thumbnails.delete(imageId));  // tried again next time
    thumbnails.set(imageId, url);
  }
  return thumbnails.get(imageId);
}
export function forgetThumbnails() {
  for (const url of thumbnails.values()) url.then((u) => URL.revokeObjectURL(u), () => {});
  thumbnails.clear();
}
