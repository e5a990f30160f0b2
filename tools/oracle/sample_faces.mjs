// Hard-coded regions of face-api's sample photos used as golden inputs, so
// regenerating the goldens never depends on a detector's output.
// The faces were found once with find_faces.mjs (face-api SSD-MobileNetV1);
// each FACE box is that detection made square (centred, side 1.25 x the
// larger side) so face crops keep their aspect ratio at square model inputs.
// SCENES are square regions holding several faces, for the detectors (one
// only: detector inputs are large and the goldens must stay small).
// Boxes are [x, y, w, h] in image pixels.
export const FACES = [
  { image: 'sample1.jpg', box: [354, 325, 298, 298] },  // SSD [414,355,178,238] score 0.995
  { image: 'sample3.jpg', box: [515, 295, 339, 339] },  // SSD [585,329,199,271] score 0.989
  { image: 'sample5.jpg', box: [732, 82, 265, 265] },   // SSD [787,109,156,212] score 0.993
];

export const SCENES = [
  { image: 'sample4.jpg', box: [200, 0, 1448, 1448] },  // four faces
];
