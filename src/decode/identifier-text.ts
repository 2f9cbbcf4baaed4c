/**
 * Identifiers hold no control characters and no invisible formatting. An `accountId` with a
 * trailing NUL or an escape sequence is a producer's bug, not a customer: accepted, it became an
 * alert subject, a Kafka key and a case that no analyst can type or tell from its twin without the
 * NUL (session 46 Kafka QA). Zero-width and bidirectional formatting characters make the same
 * invisible twins. The contract says only "string"; the exchange's identifiers, device ids, VPN
 * providers, asset tickers, transaction hashes, IPs and intel sources are all visible text in every
 * producer we know, so such a character in one is refused as TW_SCHEMA naming the field. Checked
 * after the schema, so the fast path and zod are judged by the same check. Look-alike letters (a
 * Cyrillic `а` for a Latin `a`) and the no-break space stay accepted: they are visible text.
 */

/** The fields of each schema that are identifiers or names, as paths into the message. */
const CHECKED: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'exchange.transfer.v1': [['eventId'], ['accountId'], ['asset'], ['txHash'], ['session', 'ip'], ['session', 'deviceId'], ['session', 'vpnProvider']],
  'exchange.login.v1': [['eventId'], ['accountId'], ['ip'], ['deviceId'], ['vpnProvider']],
  'intel.label.v1': [['label'], ['entity'], ['source']],
  'market.price.v1': [['asset'], ['source']],
};

export const CONTROL_CHARACTER_MESSAGE = 'holds a control or invisible formatting character (C0, C1, DEL, zero-width or bidirectional)';

/**
 * Whether the text holds a C0 (U+0000 to U+001F) or C1 (U+0080 to U+009F) control character, DEL,
 * or an invisible formatting character: zero-width space, joiners and direction marks (U+200B to
 * U+200F), line and paragraph separators and bidirectional embeddings (U+2028 to U+202E), word
 * joiner and invisible operators (U+2060 to U+2064), bidirectional isolates (U+2066 to U+2069),
 * and the zero-width no-break space (U+FEFF).
 */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if (c >= 0x200b && (c <= 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff)) return true;
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
