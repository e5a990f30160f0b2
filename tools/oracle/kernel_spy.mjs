// Records the input of one tfjs kernel call, for raw network outputs that a
// library computes but never returns (face-api's SSD decodes its box and class
// predictions inside forwardInput). Wraps the registered kernel of `backend`:
// when `match(inputs, attrs)` holds, a copy of input `inputName` is kept.
// The wrapped kernel computes exactly what it did before.
export function spyOnKernel(tf, kernelName, backend, inputName, match) {
  const original = tf.getKernel(kernelName, backend);
  if (!original) throw new Error(`no ${kernelName} kernel on ${backend}`);
  const captured = [];
  tf.unregisterKernel(kernelName, backend);
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs[inputName];
      if (match(args.inputs, args.attrs)) {
        captured.push({ shape: x.shape.slice(), data: Float32Array.from(args.backend.readSync(x.dataId)) });
      }
      return original.kernelFunc(args);
    },
  });
  return {
    captured,
    restore() {
      tf.unregisterKernel(kernelName, backend);
      tf.registerKernel(original);
    },
  };
}
