/** Minimal .npy (format 1.0) reading and writing for the parity tests' data exchange. */

type Typed = Float64Array | Float32Array | Int32Array;

const DESCR: Record<string, string> = {
  Float64Array: "<f8",
  Float32Array: "<f4",
  Int32Array: "<i4",
};

/** Writes a 1-D or 2-D array; `fortranOrder` marks column-major data. */
export async function writeNpy(
  path: string,
  values: Typed,
  shape: readonly number[],
  fortranOrder = false,
): Promise<void> {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${DESCR[values.constructor.name]}', 'fortran_order': ${
    fortranOrder ? "True" : "False"
  }, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const body = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const file = new Uint8Array(head.length + body.length);
  file.set(head);
  file.set(body, head.length);
  await Deno.writeFile(path, file);
}

/** Reads a little-endian f8/f4/i4 array (C order) with its shape. */
export async function readNpy(path: string): Promise<{ values: Typed; shape: number[] }> {
  const bytes = await Deno.readFile(path);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  if (/'fortran_order': True/.test(header)) throw new Error(`Fortran order unsupported: ${path}`);
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1].split(",").map((s) => s.trim())
    .filter((s) => s.length > 0).map(Number);
  const body = bytes.slice(10 + headerLength).buffer;
  const values = descr === "<f8"
    ? new Float64Array(body)
    : descr === "<f4"
    ? new Float32Array(body)
    : descr === "<i4"
    ? new Int32Array(body)
    : null;
  if (!values) throw new Error(`Unsupported dtype ${descr}: ${path}`);
  return { values, shape };
}
