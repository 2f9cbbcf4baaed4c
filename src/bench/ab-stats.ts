/**
 * The figures `bench:ab` prints from its rounds. Rounds alternate which build runs first (A B,
 * B A, ...), and on this machine the second run of a round has cost several percent more than
 * the first (session 46, three A/Bs of 6 to 10 rounds: the rounds where B ran second gave B/A
 * 1.02 to 1.09, those where it ran first 0.86 to 0.94), so a round's quotient carries its order
 * as well as the builds' difference, and the median of an even number of rounds picks one order.
 * Two consecutive rounds see each order once: the geometric mean of their quotients leaves the
 * order out.
 */
export const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** Per pair of consecutive rounds (A first, then B first), the geometric mean of their B/A quotients; a last unpaired round is left out. */
export function orderBalancedQuotients(quotients: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < quotients.length; i += 2) out.push(Math.sqrt(quotients[i]! * quotients[i + 1]!));
  return out;
}
