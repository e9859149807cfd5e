/**
 * The LightGBM version risktrain's WebAssembly build compiles.
 *
 * @module
 */

/** LightGBM version recorded in every model's metadata. */
export const LIGHTGBM_VERSION = "4.6.0";
