/**
 * Identifiers hold no control characters. An `accountId` with a trailing NUL or an escape
 * sequence is a producer's bug, not a customer: accepted, it became an alert subject, a Kafka key
 * and a case that no analyst can type or tell from its twin without the NUL (session 46 Kafka QA).
 * The contract says only "string"; the exchange's identifiers, device ids, VPN providers, asset
 * tickers and intel sources are all printable text in every producer we know, so a C0 or C1
 * control character or DEL in one is refused as TW_SCHEMA naming the field. Checked after the
 * schema, so the fast path and zod are judged by the same check.
 */

/** The fields of each schema that are identifiers or names, as paths into the message. */
const CHECKED: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'exchange.transfer.v1': [['eventId'], ['accountId'], ['asset'], ['session', 'deviceId'], ['session', 'vpnProvider']],
  'exchange.login.v1': [['eventId'], ['accountId'], ['deviceId'], ['vpnProvider']],
  'intel.label.v1': [['label'], ['entity'], ['source']],
};

export const CONTROL_CHARACTER_MESSAGE = 'holds a control character (C0, C1 or DEL)';

/** Whether the text holds a C0 (U+0000 to U+001F) or C1 (U+0080 to U+009F) control character, or DEL. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** The dotted path of the first checked field of the message that holds a control character, or undefined. */
export function fieldWithControlCharacter(schema: string, msg: object): string | undefined {
  const paths = CHECKED[schema];
  if (paths === undefined) return undefined;
  for (const path of paths) {
    const value = valueAt(msg, path);
    if (typeof value === 'string' && hasControlCharacter(value)) return path.join('.');
  }
  return undefined;
}

function valueAt(msg: object, path: readonly string[]): unknown {
  let at: unknown = msg;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
