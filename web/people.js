// People: everyone enrolled in the gallery with their stored faces'
// thumbnails and counts; add a person by dropping photos; rename; remove
// (after asking).
import { call, formOf, thumbnailUrl } from './api.js';
import { galleryChanged, galleryModel, reloadGallery } from './gallery.js';
import { dropZone, el, messages } from './ui.js';

const SHOWN_THUMBNAILS = 8;

export function peoplePage(section) {
  const say = messages();
  const list = el('ul', { class: 'people', 'aria-label': 'People' });
  const summary = el('p', { class: 'summary' });

  // Stores each photo as a face of `name`; a sentence per photo that failed.
  async function addPhotos(name, files) {
    const model = await galleryModel();
    const failures = [];
    let added = 0;
    for (const [i, file] of files.entries()) {
      say.busy(`Adding photo ${i + 1} of ${files.length} for ${name}…`);
      try {
        await call('POST', '/api/v1/recognition/faces', {
          query: { subject: name, model_name: model }, form: formOf({ file }), gallery: true,
        });
        added += 1;
      } catch (error) {
        failures.push(error.status ? `${file.name}: ${error.message}` : error.message);
      }
    }
    galleryChanged();
    await refresh();
    const done = `${added} of ${files.length} photo${files.length === 1 ? '' : 's'} added for ${name}.`;
    if (failures.length) say.fail([done, ...failures]); else say.done(done);
  }

  // The add-a-person form: a name and photos.
  const nameInput = el('input', { id: 'new-name', name: 'name', required: true, autocomplete: 'off', placeholder: 'e.g. Ann Lee' });
  let chosen = [];
  const chosenNote = el('p', { class: 'chosen', 'aria-live': 'polite', text: 'No photos chosen yet.' });
  const drop = dropZone({
    label: 'Drop photos of the person here', hint: 'or press to choose them', multiple: true, name: 'photos',
    onFiles: (files) => {
      chosen = files;
      chosenNote.textContent = `${files.length} photo${files.length === 1 ? '' : 's'} chosen: ${files.map((f) => f.name).join(', ')}.`;
    },
  });
  drop.id = 'new-photos';
  const addForm = el('form', { class: 'add-person', 'aria-labelledby': 'add-heading' },
    el('h2', { id: 'add-heading', text: 'Add a person' }),
    el('label', { for: 'new-name', text: 'Name' }), nameInput, drop, chosenNote,
    el('button', { type: 'submit', class: 'primary', text: 'Add person' }));
  addForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) { say.fail('Type the person’s name first.'); nameInput.focus(); return; }
    if (!chosen.length) { say.fail(`Choose or drop at least one photo of ${name}.`); drop.focus(); return; }
    const files = chosen;
    chosen = [];
    chosenNote.textContent = 'No photos chosen yet.';
    nameInput.value = '';
    await addPhotos(name, files);
  });

  // The confirmation asked before a removal.
  const confirmText = el('p');
  const confirmDialog = el('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-heading' },
    el('form', { method: 'dialog' },
      el('h2', { id: 'confirm-heading', text: 'Remove this person?' }), confirmText,
      el('div', { class: 'actions' },
        el('button', { value: 'cancel', text: 'Cancel', autofocus: true }),
        el('button', { value: 'remove', class: 'danger', text: 'Remove' }))));

  function ask(question) {
    confirmText.textContent = question;
    confirmDialog.returnValue = '';
    confirmDialog.showModal();
    return new Promise((resolve) => {
      confirmDialog.addEventListener('close', () => resolve(confirmDialog.returnValue === 'remove'), { once: true });
    });
  }

  async function remove(person) {
    const faces = person.faces.length;
    if (!await ask(`Remove ${person.name} and ${faces === 1 ? 'their 1 stored face' : `their ${faces} stored faces`}? ` +
                   'This cannot be undone.')) return;
    say.busy(`Removing ${person.name}…`);
    try {
      await call('DELETE', `/api/v1/recognition/subjects/${encodeURIComponent(person.name)}`, { gallery: true });
      galleryChanged();
      await refresh();
      say.done(`${person.name} was removed.`);
    } catch (error) { say.fail(error.message); }
  }

  function renameForm(person, card, heading) {
    const input = el('input', { value: person.name, 'aria-label': `New name for ${person.name}`, required: true });
    const form = el('form', { class: 'rename' }, input,
      el('button', { type: 'submit', class: 'primary', text: 'Save' }),
      el('button', { type: 'button', text: 'Cancel', onclick: () => { form.replaceWith(heading); card.querySelector('.rename-button').focus(); } }));
    input.addEventListener('keydown', (event) => { if (event.key === 'Escape') form.querySelector('[type=button]').click(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const to = input.value.trim();
      if (!to || to === person.name) { form.replaceWith(heading); return; }
      say.busy(`Renaming ${person.name} to ${to}…`);
      try {
        await call('PUT', `/api/v1/recognition/subjects/${encodeURIComponent(person.name)}`,
          { json: { subject: to }, gallery: true });
        galleryChanged();
        await refresh();
        say.done(`${person.name} is now ${to}.`);
      } catch (error) { say.fail(error.message); }
    });
    heading.replaceWith(form);
    input.select();
    input.focus();
  }

  function card(person) {
    const count = person.faces.length;
    const heading = el('h3', { class: 'person-name', text: person.name });
    const thumbs = el('div', { class: 'thumbs' });
    for (const face of person.faces.slice(0, SHOWN_THUMBNAILS)) {
      const img = el('img', { class: 'thumb', alt: `a stored face of ${person.name}`, 'data-image-id': face.image_id, width: 64, height: 64 });
      thumbnailUrl(face.image_id).then((url) => { img.src = url; }, () => img.classList.add('missing'));
      thumbs.append(img);
    }
    if (count > SHOWN_THUMBNAILS) thumbs.append(el('span', { class: 'more', text: `+${count - SHOWN_THUMBNAILS}` }));
    if (!count) thumbs.append(el('span', { class: 'more', text: 'no face stored yet' }));
    const models = [...new Set(person.faces.map((f) => f.model))].join(', ');
    const item = el('li', { class: 'person', 'data-name': person.name },
      heading,
      el('p', { class: 'counts' }, el('span', { class: 'vector-count', text: String(count) }),
        ` face vector${count === 1 ? '' : 's'}`, models ? ` · ${models}` : ''),
      thumbs);
    const more = dropZone({
      label: 'Add photos', hint: 'drop or press', multiple: true, name: `photos-${person.name}`,
      onFiles: (files) => addPhotos(person.name, files),
    });
    more.classList.add('small');
    item.append(more, el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'rename-button', text: 'Rename', 'aria-label': `Rename ${person.name}`,
                     onclick: () => renameForm(person, item, heading) }),
      el('button', { type: 'button', class: 'danger remove-button', text: 'Remove', 'aria-label': `Remove ${person.name}`,
                     onclick: () => remove(person) })));
    return item;
  }

  async function refresh() {
    try {
      const known = await reloadGallery();
      list.replaceChildren(...known.people.map(card));
      const n = known.people.length;
      summary.textContent = n
        ? `${n} ${n === 1 ? 'person' : 'people'}, ${known.faces} stored face${known.faces === 1 ? '' : 's'}` +
          (known.model ? ` (${known.model}).` : '.')
        : 'No one is enrolled yet: add a person above, or enroll a folder with `facekit enroll`.';
    } catch (error) {
      list.replaceChildren();
      summary.textContent = '';
      say.fail(error.message);
    }
  }

  section.append(el('h1', { text: 'People' }),
    el('div', { class: 'people-layout' }, addForm, ...say.elements, summary, list), confirmDialog);
  refresh();
  return { shown: refresh, refresh };
}
