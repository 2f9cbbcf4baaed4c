/**
 * How much of one account's history a signal reads for one trigger. The history itself keeps up
 * to 5,000 items an account (state.ts), for the running aggregates; a signal that scans a window
 * (`sequence`, `cadence`, `distinct-payers`, `common-funder`'s senders) reads only its newest
 * items. An ordinary account never has this many in a window, so its verdicts are unchanged; a
 * hot account (a payment processor's or a market maker's, a transfer every few seconds) costs a
 * bounded amount per event instead of a pass over thousands of items per signal.
 */

/** Items of an account's window a scanning signal reads, newest first. */
export const WINDOW_READ_LIMIT = 256;

/** Transfers of one payer's group a `cadence` reads, newest first (a salary payer has a few dozen in 200 days). */
export const PAYER_GROUP_READ_LIMIT = 256;

/**
 * Candidate inflows a `sequence` with `pick: largest` tries, newest first, when `maxGroups` does
 * not say: a salary account has a few deposits in a 72 h window, a hot account hundreds, and the
 * largest pick reads every candidate where `newest` stops at the first that holds.
 */
export const LARGEST_PICK_GROUPS = 32;
