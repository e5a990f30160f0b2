// What the pages share: building elements, a drop zone for photos, a photo
// with its faces boxed, messages, numbers as people read them.

// el('p', {class: 'x', text: 'hi'}, child...): an element. Attributes are set
// as attributes (no inline style: the server's CSP forbids it; see boxed()).
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

export function percent(probability) {
  if (probability === null || probability === undefined) return '–';
  const p = 100 * probability;
  return `${p >= 99.95 || p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}

export function decimal(number, digits = 3) {
  return number === null || number === undefined ? '–' : Number(number).toFixed(digits);
}

// A status line (polite) and an error box (assertive) for a page.
export function messages() {
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const error = el('div', { class: 'error', role: 'alert', hidden: true });
  return {
    elements: [status, error],
    busy(text) { status.textContent = text; status.classList.add('busy'); error.hidden = true; },
    done(text = '') { status.textContent = text; status.classList.remove('busy'); },
    fail(sentences) {
      status.textContent = '';
      status.classList.remove('busy');
      const list = [].concat(sentences);
      error.replaceChildren(...list.map((s) => el('p', { text: s })));
      error.hidden = false;
    },
    clear() { status.textContent = ''; status.classList.remove('busy'); error.hidden = true; },
  };
}

// A zone to drop photos on, which is also a button that opens the file
// chooser (Enter or Space on it). onFiles(files) gets the image files.
export function dropZone({ label, hint = 'or press to choose', multiple = false, name = 'photo', onFiles }) {
  const input = el('input', {
    type: 'file', accept: 'image/*', class: 'visually-hidden', multiple, name, tabindex: '-1', 'aria-hidden': 'true',
  });
  const zone = el('div', { class: 'drop', role: 'button', tabindex: '0', 'aria-label': `${label} (${hint})` },
    el('span', { class: 'drop-label', text: label }), el('span', { class: 'drop-hint', text: hint }), input);
  const deliver = (fileList) => {
    const files = [...fileList].filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|bmp|webp|ppm|pgm)$/i.test(f.name));
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  };
  input.addEventListener('change', () => { deliver(input.files); input.value = ''; });
  zone.addEventListener('click', (event) => { if (event.target !== input) input.click(); });
  zone.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); input.click(); }
  });
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    deliver(event.dataTransfer.files);
  });
  zone.input = input;  // the tests set files on it
  return zone;
}

// Loads `file` (a File) into an <img>; resolves once its size is known.
export function loadPhoto(file) {
  return new Promise((resolve, reject) => {
    const img = el('img', { alt: file.name, class: 'photo-img' });
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`${file.name} cannot be shown by this browser.`));
    img.src = URL.createObjectURL(file);
  });
}

// A photo with boxes: each of `boxes` is {box: {x, y, width, height} in the
// image's pixels, label (its number or letter), detail (more, left out on a
// small screen), kind ('known', 'unknown', 'chosen', 'face'), data (data-*
// attributes)}. Boxes are placed in percent of the image, so they follow it
// at any size; a box right of the middle has its label to its right end, so
// that the label stays on the photo.
export function boxed(img, boxes) {
  const frame = el('div', { class: 'photo' }, img);
  const w = img.naturalWidth, h = img.naturalHeight;
  for (const b of boxes) {
    const box = el('div', { class: `face-box ${b.kind || 'face'}` });
    for (const [k, v] of Object.entries(b.data || {})) box.dataset[k] = v;
    box.style.left = `${(100 * Math.max(0, b.box.x)) / w}%`;
    box.style.top = `${(100 * Math.max(0, b.box.y)) / h}%`;
    box.style.width = `${(100 * Math.min(b.box.width, w - Math.max(0, b.box.x))) / w}%`;
    box.style.height = `${(100 * Math.min(b.box.height, h - Math.max(0, b.box.y))) / h}%`;
    if (b.box.x + b.box.width / 2 > w / 2) box.classList.add('right-half');
    if (b.label) {
      box.append(el('span', { class: 'face-label' }, el('span', { text: b.label }),
        b.detail ? el('span', { class: 'label-detail', text: ` · ${b.detail}` }) : null));
    }
    frame.append(box);
  }
  return frame;
}

// A canvas with the face `box` of `img`, `size` pixels square (CSS).
export function faceCrop(img, box, size = 88) {
  const canvas = el('canvas', { class: 'crop', width: size * 2, height: size * 2, role: 'img', 'aria-label': 'the face' });
  const side = Math.max(box.width, box.height) * 1.15;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  canvas.getContext('2d').drawImage(img, cx - side / 2, cy - side / 2, side, side, 0, 0, size * 2, size * 2);
  return canvas;
}

// A horizontal bar for a probability, with its label and value.
export function probabilityBar(label, probability) {
  const fill = el('span', { class: 'bar-fill' });
  fill.style.width = `${Math.round(100 * Math.max(0, Math.min(1, probability)))}%`;
  return el('div', { class: 'bar-row' },
    el('span', { class: 'bar-label', text: label }),
    el('span', { class: 'bar', role: 'presentation' }, fill),
    el('span', { class: 'bar-value', text: percent(probability) }));
}

// A scale from 0 to `max` with the threshold marked and the distance shown:
// left of the threshold the same person, right of it not.
export function distanceScale(distance, threshold, { compact = false } = {}) {
  const max = Math.max(2 * threshold, (distance ?? 0) * 1.15, 1e-9);
  const at = (value) => `${(100 * Math.min(value, max)) / max}%`;
  const same = el('span', { class: 'scale-same' });
  same.style.width = at(threshold);
  const mark = el('span', { class: 'scale-threshold', title: `threshold ${decimal(threshold)}` });
  mark.style.left = at(threshold);
  const track = el('div', { class: 'scale-track' }, same, mark);
  if (distance !== null && distance !== undefined) {
    const dot = el('span', { class: `scale-distance ${distance <= threshold ? 'within' : 'beyond'}` });
    dot.style.left = at(distance);
    track.append(dot);
  }
  const scale = el('div', {
    class: `scale${compact ? ' compact' : ''}`, role: 'img',
    'aria-label': `distance ${decimal(distance)}, threshold ${decimal(threshold)}`,
  }, track);
  if (!compact) {
    const thresholdLabel = el('span', { class: 'scale-label threshold-label', text: `threshold ${decimal(threshold)}` });
    thresholdLabel.style.left = at(threshold);
    scale.append(el('div', { class: 'scale-axis' },
      el('span', { class: 'scale-end', text: '0' }), thresholdLabel,
      el('span', { class: 'scale-end right', text: decimal(max, 2) })));
    scale.append(el('div', { class: 'scale-zones' },
      el('span', { text: '← same person' }), el('span', { text: 'different people →' })));
  }
  return scale;
}
