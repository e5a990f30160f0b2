// Search: a photo's every face boxed and labelled with who it is (or
// "unknown"), its confidence and its distance against the threshold; beside
// each face its nearest people, each shown by the stored face it matched.
import { callJson, formOf, thumbnailUrl } from './api.js';
import { galleryModel } from './gallery.js';
import { boxed, decimal, distanceScale, dropZone, el, faceCrop, loadPhoto, messages, percent } from './ui.js';

// Where the threshold came from, as words.
function thresholdSource(source) {
  if (!source) return '';
  if (source === 'card') return ', from the model card';
  if (source === 'user') return ', as asked';
  return ` (${source})`;
}

export function searchPage(section) {
  const say = messages();
  const k = el('select', { id: 'search-k', name: 'k' },
    ...[3, 5, 10].map((n) => el('option', { value: n, text: String(n), selected: n === 5 })));
  const result = el('div', { class: 'search-result' });
  let lastFile = null;

  function candidateFigure(candidate, threshold) {
    const within = candidate.distance !== null && candidate.distance <= threshold;
    const img = el('img', { class: 'thumb', alt: `${candidate.identity}'s stored face`, width: 64, height: 64 });
    if (candidate.image_id) thumbnailUrl(candidate.image_id).then((url) => { img.src = url; }, () => img.classList.add('missing'));
    else img.classList.add('missing');
    return el('li', { class: `candidate ${within ? 'within' : 'beyond'}`, 'data-identity': candidate.identity,
                      'data-image-id': candidate.image_id },
      img,
      el('span', { class: 'candidate-name', text: candidate.identity }),
      el('span', { class: 'candidate-distance', text: `${decimal(candidate.distance)}${within ? ' ✓' : ''}` }));
  }

  function faceCard(face, index, img, answer) {
    const known = face.identity !== null;
    const name = known ? face.identity : 'unknown';
    const verdict = known
      ? `distance ${decimal(face.distance)}, within the threshold ${decimal(answer.threshold)}`
      : `nobody within the threshold ${decimal(answer.threshold)}` +
        (face.candidates.length ? `; nearest ${face.candidates[0].identity} at ${decimal(face.distance)}` : '');
    return el('li', { class: `face-result ${known ? 'known' : 'unknown'}`, 'data-face': index + 1, 'data-identity': name },
      el('div', { class: 'face-head' },
        faceCrop(img, face.face.box, 72),
        el('div', {},
          el('h3', {}, el('span', { class: 'face-number', text: `${index + 1}` }), ` ${name}`),
          el('p', { class: 'confidence' }, 'confidence ', el('strong', { text: percent(face.confidence) }),
            known ? '' : ' that this is nobody enrolled',
            face.confidence_is_probability ? '' : ' (a score, not a probability)'),
          el('p', { class: 'verdict', text: verdict }))),
      distanceScale(face.distance, answer.threshold, { compact: true }),
      el('h4', { text: `Nearest ${face.candidates.length === 1 ? 'person' : `${face.candidates.length} people`}` }),
      el('ol', { class: 'candidates' }, ...face.candidates.map((c) => candidateFigure(c, answer.threshold))));
  }

  async function search(file) {
    lastFile = file;
    result.replaceChildren();
    let img;
    try { img = await loadPhoto(file); } catch (error) { say.fail(error.message); return; }
    result.append(el('div', { class: 'photo-column' }, boxed(img, [])));
    say.busy(`Looking for everyone in ${file.name}…`);
    try {
      const answer = (await callJson('POST', '/api/v1/recognition/recognize', {
        query: { prediction_count: k.value, candidate_faces: 'true', model_name: await galleryModel() },
        form: formOf({ file }), gallery: true,
      })).facekit;
      const boxes = answer.faces.map((f, i) => ({
        box: f.face.box, kind: f.identity !== null ? 'known' : 'unknown',
        label: String(i + 1), detail: `${f.identity ?? 'unknown'} · ${percent(f.confidence)}`,
        data: { face: i + 1, identity: f.identity ?? 'unknown' },
      }));
      const known = answer.faces.filter((f) => f.identity !== null).length;
      result.replaceChildren(
        el('div', { class: 'photo-column' }, boxed(img, boxes),
          el('p', { class: 'photo-note', text: `${answer.model}, ${answer.metric} distance, threshold ${decimal(answer.threshold)}` +
            thresholdSource(answer.threshold_source) })),
        el('ol', { class: 'face-results', 'aria-label': 'Faces found' },
          ...answer.faces.map((f, i) => faceCard(f, i, img, answer))));
      say.done(`${answer.faces.length} face${answer.faces.length === 1 ? '' : 's'} found in ${file.name}: ` +
               `${known} recognised, ${answer.faces.length - known} unknown.`);
    } catch (error) {
      say.fail(error.message);
    }
  }

  const drop = dropZone({ label: 'Drop a photo to find who is in it', onFiles: ([file]) => search(file) });
  drop.id = 'search-photo';
  k.addEventListener('change', () => { if (lastFile) search(lastFile); });
  section.append(el('h1', { text: 'Search' }),
    el('div', { class: 'controls' }, drop,
      el('label', { class: 'inline', for: 'search-k' }, 'Candidates per face ', k)),
    ...say.elements, result);
  return {};
}
