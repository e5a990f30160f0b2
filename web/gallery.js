// What the pages know of the chosen gallery: its people and their stored
// faces (CompreFace's subjects and faces routes), and the model those faces
// were stored with, which the pages then search and enroll with.
import { callJson, forgetThumbnails } from './api.js';

let known = null;  // {people: [{name, faces: [{image_id, model}]}], model, faces}

async function everyFace() {
  const faces = [];
  for (let page = 0; ; page += 1) {
    const answer = await callJson('GET', '/api/v1/recognition/faces', { query: { page, size: 1000 }, gallery: true });
    faces.push(...answer.faces);
    if (page + 1 >= answer.total_pages) return faces;
  }
}

// Reads the gallery again (after a change, or another gallery chosen).
export async function reloadGallery() {
  const [answer, faces] = await Promise.all([
    callJson('GET', '/api/v1/recognition/subjects', { gallery: true }), everyFace()]);
  const people = answer.subjects.map((name) => ({ name, faces: faces.filter((f) => f.subject === name) }));
  const perModel = new Map();
  for (const f of faces) perModel.set(f.model, (perModel.get(f.model) || 0) + 1);
  const model = [...perModel.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] || '';
  known = { people, model, faces: faces.length };
  return known;
}

async function gallery() { return known || reloadGallery(); }

// The gallery's model ('' : none stored yet, the server's default is used).
export async function galleryModel() {
  try { return (await gallery()).model; } catch { return ''; }
}

// After a change to it: read again when next asked.
export function galleryChanged() { known = null; }

// Another gallery chosen: its image_ids are its own.
export function gallerySwitched() {
  known = null;
  forgetThumbnails();
}
