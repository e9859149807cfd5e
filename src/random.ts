/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) for
 * everything risktrain samples: fold assignment and hyperparameter search.
 *
 * @module
 */

/** A seeded source of random numbers; the same seed yields the same sequence. */
export interface Random {
  /** The next unsigned 32-bit integer. */
  nextUint32(): number;
  /** The next float in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** The next integer in [0, n). */
  nextInt(n: number): number;
  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(values: T): T;
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * Creates a seeded generator.
 *
 * @example
 * ```ts
 * import { createRandom } from "./random.ts";
 * const a = createRandom(42), b = createRandom(42);
 * console.assert(a.nextUint32() === b.nextUint32());
 * ```
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Seed must be an integer in [0, 2^32): ${seed}`);
  }
  const s = new Uint32Array(4);
  let state = seed;
  for (let i = 0; i < 4; i++) [state, s[i]] = splitmix32(state);
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const nextFloat = (): number => {
    const high = nextUint32() >>> 5; // 27 bits
    const low = nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
  const nextInt = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`Bound must be a positive integer: ${n}`);
    }
    return Math.floor(nextFloat() * n);
  };
  return {
    nextUint32,
    nextFloat,
    nextInt,
    shuffle(values) {
      for (let i = values.length - 1; i > 0; i--) {
        const j = nextInt(i + 1);
        const v = values[i];
        values[i] = values[j];
        values[j] = v;
      }
      return values;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
