// Analyze: each face's age, gender, emotion, race and liveness, each with its
// uncertainty (the age's ± spread, the probabilities, how far the models
// agree) and the analysis' overall confidence.
import { callJson, formOf } from './api.js';
import { boxed, dropZone, el, faceCrop, loadPhoto, messages, percent, probabilityBar } from './ui.js';

const ACTIONS = 'age,gender,emotion,race,spoof';

function agreement(face, attribute) {
  const a = face.agreement && face.agreement[attribute];
  return a === undefined ? null : el('span', { class: 'agreement', text: `models agree ${percent(a)}` });
}

// The top `n` of a distribution {class: probability} as bars.
function topBars(distribution, n) {
  return Object.entries(distribution).sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([label, p]) => probabilityBar(label, p));
}

function attribute(name, value, ...details) {
  return el('div', { class: `attribute ${name.toLowerCase()}`, 'data-attribute': name.toLowerCase() },
    el('dt', { text: name }), el('dd', {}, value, ...details));
}

function faceCard(face, index, img) {
  const rows = [];
  if (face.refused) {
    rows.push(el('p', { class: 'refused', text: `Not analysed: ${face.refused}.` }));
  } else {
    if (face.age) {
      rows.push(attribute('Age', el('strong', { class: 'value', text: `${Math.round(face.age.years)} ± ${Math.round(face.age.uncertainty)} years` }),
        agreement(face, 'age')));
    }
    if (face.gender) {
      rows.push(attribute('Gender', el('strong', { class: 'value', text: `${face.gender.value}, ${percent(face.gender.probability)}` }),
        agreement(face, 'gender')));
    }
    if (face.emotion) {
      const [top] = Object.entries(face.emotion).sort((a, b) => b[1] - a[1]);
      rows.push(attribute('Emotion', el('strong', { class: 'value', text: top[0] }), agreement(face, 'emotion'),
        el('div', { class: 'bars' }, ...topBars(face.emotion, 3))));
    }
    if (face.race) {
      const [top] = Object.entries(face.race).sort((a, b) => b[1] - a[1]);
      rows.push(attribute('Race', el('strong', { class: 'value', text: top[0] }),
        el('div', { class: 'bars' }, ...topBars(face.race, 3))));
    }
    if (face.real_probability !== undefined && face.real_probability !== null) {
      const real = face.real_probability >= 0.5;
      rows.push(attribute('Liveness', el('strong', { class: `value ${real ? 'real' : 'spoof'}`,
        text: real ? `real (${percent(face.real_probability)})` : `possibly a spoof (${percent(face.real_probability)} real)` }),
      agreement(face, 'spoof')));
    }
  }
  return el('li', { class: 'analysis', 'data-face': index + 1 },
    el('div', { class: 'face-head' }, faceCrop(img, face.box, 72),
      el('div', {},
        el('h3', {}, el('span', { class: 'face-number', text: `${index + 1}` }), ` Face ${index + 1}`),
        el('p', { class: 'confidence' }, 'analysis confidence ', el('strong', { text: percent(face.confidence) })),
        el('p', { class: 'quality', text: `face quality ${percent(face.quality)}${face.grayscale ? ', a grey image' : ''}` }))),
    el('dl', { class: 'attributes' }, ...rows));
}

export function analyzePage(section) {
  const say = messages();
  const result = el('div', { class: 'analyze-result' });

  async function analyze(file) {
    result.replaceChildren();
    let img;
    try { img = await loadPhoto(file); } catch (error) { say.fail(error.message); return; }
    result.append(el('div', { class: 'photo-column' }, boxed(img, [])));
    say.busy(`Analysing the faces of ${file.name}…`);
    try {
      const answer = (await callJson('POST', '/analyze', { form: formOf({ img: file, actions: ACTIONS }) })).facekit;
      result.replaceChildren(
        el('div', { class: 'photo-column' },
          boxed(img, answer.faces.map((f, i) => ({ box: f.box, kind: 'face', label: String(i + 1), data: { face: i + 1 } })))),
        el('ol', { class: 'analyses', 'aria-label': 'Faces analysed' }, ...answer.faces.map((f, i) => faceCard(f, i, img))));
      say.done(`${answer.faces.length} face${answer.faces.length === 1 ? '' : 's'} analysed in ${file.name}. ` +
               'Estimates from photos are uncertain: read the ± and the agreement of the models with them.');
    } catch (error) {
      say.fail(error.message);
    }
  }

  const drop = dropZone({ label: 'Drop a photo to analyse', onFiles: ([file]) => analyze(file) });
  drop.id = 'analyze-photo';
  section.append(el('h1', { text: 'Analyze' }), el('div', { class: 'controls' }, drop), ...say.elements, result);
  return {};
}
