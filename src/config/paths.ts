import { fileURLToPath } from 'node:url';

/** The rules folder shipped with the package. */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));
