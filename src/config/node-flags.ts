/**
 * The V8 flag every Tidewatch process is started with: a young generation of 64 MB per
 * semi-space (Node 20 grows it to 16 MB at most). Most of what a message allocates dies within
 * the message; with a small young generation much of it survives two scavenges, is promoted, and
 * then costs the old generation's incremental marking, which reads the whole retained state
 * (about 1 GB after 240 days of the issue-shaped stream) every few seconds. Measured on this
 * project's 2-core machine (session 9, `npm run bench`): the 2.1 M-message stream took 29.2 k
 * instead of 21.8 k messages per CPU second, the 210 k-message one 39.4 k instead of 37.8 k,
 * the hot-key stream 29.3 k instead of 26.5 k; peak RSS about 170 MB higher.
 *
 * V8 reads it only at start-up (`v8.setFlagsFromString` later has no effect), so it is written
 * where processes start: the CLI's shebang, the npm scripts, the Dockerfile, the systemd units
 * (checked together in test/unit/ops-files.test.ts), and the benchmark's spawned instances.
 */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64';
