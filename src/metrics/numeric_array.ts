/**
 * The array types the metrics accept.
 *
 * @module
 */

/** Labels, scores or weights: any numeric typed array. */
export type NumericArray = Float32Array | Float64Array | Int32Array | Uint8Array;
