/**
 * Text from the input (account ids, subjects: any string of up to 128 characters the contract
 * accepts) made inert before a human-readable CLI line goes to a terminal. ESC, BEL, CR, LF, DEL
 * and the other C0 and C1 control characters are printed escaped (`\u001b`), so an account id
 * cannot clear the screen, recolour text, set the window title or forge rows of a table (QA D7).
 * JSON output (`--json`, `cases show`) is left to JSON's own escaping.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

export function inertText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
