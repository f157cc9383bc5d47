/** Deterministic synthetic data for benchmarks (and the tests that need the same). */

/**
 * A synthetic corpus with a realistic word distribution: 2,000 generated words drawn with Zipf's
 * law (s = 1), so a few words are very common and most are rare, as in real text. Queries use the
 * same distribution (see run.ts), so some match thousands of discoveries and most match few.
 */
export const VOCABULARY = Array.from({ length: 2000 }, (_, i) => wordOf(i));

function wordOf(i: number): string {
  const syllables = ['ca', 'ro', 'ti', 'me', 'su', 'la', 'ken', 'dor', 'vi', 'pa', 'nel', 'qu', 'ar', 'ost', 'ix'];
  let n = i + 7;
  let w = '';
  do {
    w += syllables[n % syllables.length];
    n = Math.floor(n / syllables.length);
  } while (n > 0);
  return w;
}

/**
 * A deterministic sampler of Zipf-distributed words (s = 1) over `vocabulary` (most common first):
 * `(seed, n)` -> n words, the same for the same seed. Inverse-CDF sampling over the harmonic
 * weights 1/k with a linear congruential generator (Numerical Recipes' constants).
 */
export function zipfSampler(vocabulary: readonly string[]): (seed: number, n: number) => string[] {
  const harmonic = vocabulary.reduce((acc, _w, i) => acc + 1 / (i + 1), 0);
  return (seed, n) => {
    const out: string[] = [];
    let x = (seed * 2654435761) >>> 0;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      let u = (x / 2 ** 32) * harmonic;
      let k = 0;
      while (k < vocabulary.length - 1 && u > 1 / (k + 1)) u -= 1 / ++k;
      out.push(vocabulary[k]!);
    }
    return out;
  };
}

/** Deterministic Zipf-distributed words of {@link VOCABULARY} from a seed. */
export const zipfWords = zipfSampler(VOCABULARY);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
