/**
 * Whether a consumer crashed on a batch no retry can read (kafkajs would refetch it forever).
 * kafkajs hands the crash over wrapped, a KafkaJSNumberOfRetriesExceeded whose `cause` (or
 * `originalError`) is the refusal, and marks it restartable: the chain of causes is read (QA:
 * read at the top only, a refused zstd batch made the reader restart and refetch it every 15 s,
 * every topic stalled behind it while the monitor reported ready). A module of its own, loading
 * neither kafkajs nor the codecs: the CLI's entry point asks it for every verb's failure.
 */
export function isUndecodableBatch(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e.name === 'BatchDecompressionError') return true;
    const wrapped = e as Error & { originalError?: unknown };
    e = wrapped.cause ?? wrapped.originalError;
  }
  return false;
}
