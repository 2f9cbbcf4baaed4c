/**
 * An exact decimal: `units × 10^-scale`. Amounts are parsed once, at decode, from the contract's
 * decimal strings or the chains' integer base units, and stay exact through sums, comparisons and
 * printing. `units` is a plain number while it is a safe integer (nearly every amount an exchange
 * sends), so sums and comparisons run on doubles without rounding; past 2^53 it is a bigint.
 * Values are immutable; `scale` is never negative and trailing zeros are not significant.
 */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const BIG_MAX_SAFE = BigInt(MAX_SAFE);

/** 10^0 … 10^15 as numbers: every one is exact, and 10^15 × a digit still fits 2^53. */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);
const pow10n = (n: number): bigint => 10n ** BigInt(n);
/** fromNumber's quick path handles values with up to this many fraction digits… */
const FEW_DECIMALS = 8;
/** …whose units stay below 2^50, where a double's spacing is under 1/4 of a unit. */
const FEW_DECIMALS_UNITS = 2 ** 50;

/** A plain decimal literal: optional sign, digits, optional fraction. */
const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
const DIGIT_0 = 48;
const MINUS = 45;
const DOT = 46;
/** What `String(number)` may write: a plain literal or one with an exponent. */
const EXPONENT = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

export class DecimalError extends Error {}

export class Decimal {
  private constructor(readonly units: number | bigint, readonly scale: number) {}

  static readonly ZERO = new Decimal(0, 0);

  /** Keeps the invariant: a number when the units are a safe integer, else a bigint. */
  private static of(units: number | bigint, scale: number): Decimal {
    if (typeof units === 'bigint' && units <= BIG_MAX_SAFE && units >= -BIG_MAX_SAFE) return new Decimal(Number(units), scale);
    return new Decimal(units, scale);
  }

  /** Parses a plain decimal literal (`"2500.00"`, `"-0.015"`, `"7"`); throws DecimalError on anything else. */
  static parse(text: string): Decimal {
    return Decimal.parseShort(text) ?? Decimal.parsePlain(text);
  }

  /**
   * parse for a literal of at most 15 digits (nearly every amount and price), read by char codes:
   * no match array, no captured strings, no joined digit string to convert (session 58: the regex
   * path allocated about 60 bytes per exchange transfer). Undefined for anything else: then
   * parsePlain reads it, and words every refusal. test/unit/decimal.test.ts compares both.
   */
  private static parseShort(text: string): Decimal | undefined {
    const n = text.length;
    const negative = n > 0 && text.charCodeAt(0) === MINUS;
    let i = negative ? 1 : 0;
    let units = 0;
    let digits = 0;
    let dot = -1;
    for (; i < n; i++) {
      const d = text.charCodeAt(i) - DIGIT_0;
      if (d >= 0 && d <= 9) {
        units = units * 10 + d;
        digits++;
      } else if (d === DOT - DIGIT_0 && dot < 0) {
        dot = i;
      } else {
        return undefined;
      }
    }
    const whole = (dot < 0 ? n : dot) - (negative ? 1 : 0);
    // PLAIN's shape: digits before the point, and after it when there is one; at most 15 in all, exact in a double.
    if (whole === 0 || dot === n - 1 || digits > 15) return undefined;
    return Decimal.of(negative && units !== 0 ? -units : units, dot < 0 ? 0 : n - dot - 1).trimmed();
  }

  /** parse by PLAIN: the reference parseShort is tested against, and the reader of longer literals. */
  static parsePlain(text: string): Decimal {
    const m = PLAIN.exec(text);
    if (!m) throw new DecimalError(`not a decimal: ${JSON.stringify(text)}`);
    return Decimal.fromParts(m[1] === '-', m[2]!, m[3] ?? '', 0);
  }

  /** Base units of a chain (satoshis, wei, token units) with the asset's decimals. */
  static fromUnits(units: bigint, decimals: number): Decimal {
    if (!Number.isInteger(decimals) || decimals < 0) throw new DecimalError(`decimals must be a non-negative integer, not ${decimals}`);
    return Decimal.of(units, decimals).trimmed();
  }

  /**
   * The decimal a JSON number or a rule literal means: the shortest text that reads back as the
   * same double (`9999.99` is 9999.99 exactly, not the double's binary expansion).
   */
  static fromNumber(value: number): Decimal {
    if (!Number.isFinite(value)) throw new DecimalError(`not a finite number: ${value}`);
    if (Number.isSafeInteger(value)) return new Decimal(value === 0 ? 0 : value, 0);
    return Decimal.fromFewDecimals(value) ?? Decimal.fromNumberText(value);
  }

  /**
   * fromNumber for a value with at most FEW_DECIMALS fraction digits (cents, prices), without
   * printing it: the smallest scale k at which `units / 10^k` is the same double. Division of two
   * exact integers rounds correctly, so the literal `units × 10^-k` reads back as the value; with
   * |units| < 2^50 at most one integer does at each k, and the smallest k has the fewest digits,
   * which is the shortest text String(value) writes. test/unit/decimal.test.ts checks it against
   * fromNumberText.
   */
  private static fromFewDecimals(value: number): Decimal | undefined {
    for (let k = 1; k <= FEW_DECIMALS; k++) {
      const p = POW10[k]!;
      const units = Math.round(value * p);
      if (!(Math.abs(units) < FEW_DECIMALS_UNITS)) return undefined;
      if (units / p === value) return new Decimal(units, k);
    }
    return undefined;
  }

  /** fromNumber by the shortest text of the double (`String(value)`): the reference. */
  static fromNumberText(value: number): Decimal {
    if (!Number.isFinite(value)) throw new DecimalError(`not a finite number: ${value}`);
    if (Number.isSafeInteger(value)) return new Decimal(value === 0 ? 0 : value, 0);
    const text = String(value);
    const plain = PLAIN.exec(text);
    if (plain) return Decimal.fromParts(plain[1] === '-', plain[2]!, plain[3] ?? '', 0);
    const exp = EXPONENT.exec(text)!;
    return Decimal.fromParts(exp[1] === '-', exp[2]!, exp[3] ?? '', Number(exp[4]));
  }

  /** `whole.fraction × 10^exponent` from digit strings. */
  private static fromParts(negative: boolean, whole: string, fraction: string, exponent: number): Decimal {
    let digits = whole + fraction;
    let scale = fraction.length - exponent;
    if (scale < 0) { digits += '0'.repeat(-scale); scale = 0; }
    const units = digits.length <= 15 ? Number(digits) : BigInt(digits);
    return Decimal.of(negative && units !== 0 ? -units : units, scale).trimmed();
  }

  /** The same value with trailing fraction zeros dropped (the smallest scale). */
  private trimmed(): Decimal {
    let { units, scale } = this;
    if (typeof units === 'number') {
      while (scale > 0 && units % 10 === 0) { units /= 10; scale--; }
      return units === this.units ? this : new Decimal(units === 0 ? 0 : units, scale);
    }
    while (scale > 0 && units % 10n === 0n) { units /= 10n; scale--; }
    return Decimal.of(units, scale);
  }

  /** Units at a larger scale, as a number when that stays exact, else a bigint. */
  private unitsAt(scale: number): number | bigint {
    const shift = scale - this.scale;
    if (shift === 0) return this.units;
    if (typeof this.units === 'number' && shift < POW10.length) {
      const scaled = this.units * POW10[shift]!;
      if (Number.isSafeInteger(scaled)) return scaled;
    }
    return BigInt(this.units) * pow10n(shift);
  }

  plus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    const a = this.unitsAt(scale);
    const b = other.unitsAt(scale);
    if (typeof a === 'number' && typeof b === 'number') {
      const sum = a + b;
      if (Number.isSafeInteger(sum)) return new Decimal(sum, scale).trimmed();
    }
    return Decimal.of(BigInt(a) + BigInt(b), scale).trimmed();
  }

  minus(other: Decimal): Decimal {
    return this.plus(other.negated());
  }

  negated(): Decimal {
    return typeof this.units === 'number' ? new Decimal(this.units === 0 ? 0 : -this.units, this.scale) : Decimal.of(-this.units, this.scale);
  }

  times(other: Decimal): Decimal {
    const scale = this.scale + other.scale;
    if (typeof this.units === 'number' && typeof other.units === 'number') {
      const product = this.units * other.units;
      if (Number.isSafeInteger(product)) return new Decimal(product === 0 ? 0 : product, scale).trimmed();
    }
    return Decimal.of(BigInt(this.units) * BigInt(other.units), scale).trimmed();
  }

  /** This divided by a positive integer, rounded toward zero at `scale` places (at least this one's). */
  dividedBy(divisor: number, scale: number): Decimal {
    if (!Number.isSafeInteger(divisor) || divisor <= 0) throw new DecimalError(`divisor must be a positive integer, not ${divisor}`);
    const at = Math.max(scale, this.scale);
    return Decimal.of(BigInt(this.unitsAt(at)) / BigInt(divisor), at).trimmed();
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  compare(other: Decimal): number {
    const scale = Math.max(this.scale, other.scale);
    const a = this.unitsAt(scale);
    const b = other.unitsAt(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  sign(): number {
    return this.units > 0 ? 1 : this.units < 0 ? -1 : 0;
  }

  isZero(): boolean {
    return this.sign() === 0;
  }

  /** Whether this is a whole multiple of `step` (a positive decimal). */
  isMultipleOf(step: Decimal): boolean {
    if (step.sign() <= 0) return false;
    const scale = Math.max(this.scale, step.scale);
    return BigInt(this.unitsAt(scale)) % BigInt(step.unitsAt(scale)) === 0n;
  }

  /** The nearest double (for scores and floating-point statistics only). */
  toNumber(): number {
    if (this.scale === 0) return Number(this.units);
    if (typeof this.units === 'number' && this.scale < POW10.length) return this.units / POW10[this.scale]!;
    return Number(this.toString());
  }

  /** The plain literal, trailing fraction zeros dropped: `1234.5`, `0.00012345`, `-3`. */
  toString(): string {
    const negative = this.units < 0;
    const digits = String(negative ? -this.units : this.units);
    if (this.scale === 0) return (negative ? '-' : '') + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    const whole = padded.slice(0, padded.length - this.scale);
    const fraction = padded.slice(padded.length - this.scale).replace(/0+$/, '');
    return (negative ? '-' : '') + whole + (fraction ? '.' + fraction : '');
  }

  /** In JSON an amount is a decimal string, as the contract writes amounts. */
  toJSON(): string {
    return this.toString();
  }

  /** For reading: thousands separators and every significant fraction digit (`1,234.00012345`). */
  format(): string {
    const text = this.toString();
    const negative = text.startsWith('-');
    const body = negative ? text.slice(1) : text;
    const dot = body.indexOf('.');
    const whole = dot < 0 ? body : body.slice(0, dot);
    let grouped = '';
    for (let i = whole.length; i > 0; i -= 3) grouped = whole.slice(Math.max(0, i - 3), i) + (grouped ? ',' + grouped : '');
    return (negative ? '-' : '') + grouped + (dot < 0 ? '' : body.slice(dot));
  }
}

export const isDecimal = (v: unknown): v is Decimal => v instanceof Decimal;

/** A rule's threshold or any number as a Decimal (numbers mean their shortest decimal text). */
export function toDecimal(v: number | Decimal): Decimal {
  return typeof v === 'number' ? Decimal.fromNumber(v) : v;
}

/** Exact sum; the empty sum is zero. */
export function sumOf(values: Iterable<Decimal>): Decimal {
  let total = Decimal.ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
