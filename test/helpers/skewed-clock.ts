/**
 * Loaded with `node --import` ahead of a command: the process's clock (Date) runs
 * TIDEWATCH_TEST_CLOCK_SKEW_MS off (negative: behind), as a user's badly set machine's would.
 */
const skew = Number(process.env.TIDEWATCH_TEST_CLOCK_SKEW_MS ?? 0);
const RealDate = globalThis.Date;
const skewedNow = (): number => RealDate.now() + skew;

globalThis.Date = new Proxy(RealDate, {
  construct: (target, args: unknown[]) => (args.length === 0 ? new target(skewedNow()) : Reflect.construct(target, args)),
  get: (target, key, receiver) => (key === 'now' ? skewedNow : Reflect.get(target, key, receiver)),
});
