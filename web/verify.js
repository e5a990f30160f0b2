// Verify: two photos side by side, the face compared in each boxed, their
// distance on a scale with the threshold marked, the verdict and confidence.
import { callJson, formOf } from './api.js';
import { galleryModel } from './gallery.js';
import { boxed, decimal, distanceScale, dropZone, el, loadPhoto, messages, percent } from './ui.js';

export function verifyPage(section) {
  const say = messages();
  const chosen = [null, null];
  const photos = [null, null];  // their <img>
  const slots = [el('div', { class: 'verify-photo' }), el('div', { class: 'verify-photo' })];
  const outcome = el('div', { class: 'verify-outcome', 'aria-live': 'polite' });

  async function choose(which, file) {
    try { photos[which] = await loadPhoto(file); } catch (error) { say.fail(error.message); return; }
    chosen[which] = file;
    slots[which].replaceChildren(boxed(photos[which], []), el('p', { class: 'photo-note', text: file.name }));
    outcome.replaceChildren();
    if (chosen[0] && chosen[1]) compare();
    else say.done(`Now choose the ${which === 0 ? 'second' : 'first'} photo.`);
  }

  async function compare() {
    say.busy(`Comparing ${chosen[0].name} with ${chosen[1].name}…`);
    try {
      const answer = (await callJson('POST', '/verify', {
        form: formOf({ img1: chosen[0], img2: chosen[1], model_name: await galleryModel() }),
      })).facekit;
      for (const which of [0, 1]) {
        const face = answer.faces[which];
        slots[which].replaceChildren(
          boxed(photos[which], [{ box: face.face.box, kind: 'chosen', label: which === 0 ? 'A' : 'B', data: { face: which + 1 } }]),
          el('p', { class: 'photo-note', text: `${chosen[which].name}: ${face.face_found === false ? 'no face found, the whole photo was used' : 'the face nearest the centre'}` }));
      }
      const same = answer.verified;
      outcome.replaceChildren(
        el('p', { class: `verdict-line ${same ? 'same' : 'different'}`, 'data-verified': String(same) },
          el('strong', { text: same ? 'Same person' : 'Different people' }),
          ` · confidence ${percent(answer.confidence)}`),
        distanceScale(answer.distance, answer.threshold),
        el('p', { class: 'explain', text: `Distance ${decimal(answer.distance)} is ${same ? 'at or below' : 'above'} the threshold ` +
          `${decimal(answer.threshold)} (${answer.model}, ${answer.metric})` +
          (answer.probability_same !== null && answer.probability_same !== undefined
            ? `; the calibrated probability that they are the same person is ${percent(answer.probability_same)}.` : '.') }));
      say.done('');
    } catch (error) {
      say.fail(error.message);
    }
  }

  const drops = [0, 1].map((which) => {
    const zone = dropZone({ label: `Drop photo ${which === 0 ? 'A' : 'B'}`, onFiles: ([file]) => choose(which, file) });
    zone.id = `verify-photo-${which === 0 ? 'a' : 'b'}`;
    return zone;
  });
  section.append(el('h1', { text: 'Verify' }),
    el('p', { class: 'intro', text: 'Are these two the same person? The face nearest the centre of each photo is compared.' }),
    el('div', { class: 'verify-pair' },
      el('div', { class: 'verify-side' }, drops[0], slots[0]),
      el('div', { class: 'verify-side' }, drops[1], slots[1])),
    ...say.elements, outcome);
  return {};
}
