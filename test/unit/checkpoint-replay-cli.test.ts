/** `tidewatch replay --checkpoint-out / --checkpoint-every / --checkpoint-from`, run in-process. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SDN_PATH } from '../../src/intel/ofac.js';
import { loadNewestValid } from '../../src/checkpoint/index.js';
import { registerReplay } from '../../src/cli/replay-command.js';
import { emptyPipeline, removeTempDirs, tempDir } from '../helpers/checkpoint.js';
import { rules, sampleLines, samplePath } from '../helpers/sample.js';

afterAll(removeTempDirs);

async function tidewatch(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerReplay(program);
  await program.parseAsync(['node', 'tidewatch', ...args]);
}

describe('replay with checkpoints', () => {
  it('a replay of the later file from a checkpoint adds exactly the alerts a whole replay has after it', async () => {
    const dir = tempDir('tw-ckpt-cli-');
    const lines = sampleLines();
    const [early, late] = [join(dir, 'early.jsonl'), join(dir, 'late.jsonl')];
    writeFileSync(early, lines.slice(0, 3_500).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_500).join('\n') + '\n');
    const store = join(dir, 'checkpoints');

    await tidewatch('replay', samplePath, '--alerts', join(dir, 'whole.jsonl'), '--quiet');
    await tidewatch('replay', early, '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', store, '--checkpoint-every', '1000', '--quiet');
    // Every 1,000 messages and at the end (3,500): the newest three are kept.
    expect(readdirSync(store).sort()).toEqual(['checkpoint-000000000002.twc', 'checkpoint-000000000003.twc', 'checkpoint-000000000004.twc']);
    await tidewatch('replay', late, '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', store, '--checkpoint-out', store, '--quiet');

    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read('late.alerts.jsonl').length).toBeGreaterThan(0);
    expect(read('early.alerts.jsonl') + read('late.alerts.jsonl')).toBe(read('whole.jsonl'));
    const newest = await loadNewestValid(store, { build: emptyPipeline(), rules: rules() });
    const lineSha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
    expect(newest?.header.positions).toEqual({ files: [{ file: early, line: 3_500, lineSha256: lineSha256(lines[3_499]!) }, { file: late, line: lines.length - 3_500, lineSha256: lineSha256(lines.at(-1)!) }], sdn: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/), labels: expect.any(Number), list: expect.stringMatching(/^OFAC SDN /) } });
    expect(newest?.pipeline.stats.read).toBe(lines.length);
  });

  it('with --prices, a checkpoint covers no price dated after its last message: the next file is valued at market prices as in a whole replay', async () => {
    const dir = tempDir('tw-ckpt-cli-prices-');
    // The sample's ETH, BTC and TRX transfers without their usdValue, and hourly prices for the
    // whole span (3 months): every such transfer is valued from the price book.
    const lines = sampleLines().map((line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      if (m.schema !== 'exchange.transfer.v1' || !['ETH', 'BTC', 'TRX'].includes(m.asset as string)) return line;
      delete m.usdValue;
      return JSON.stringify(m);
    });
    const prices: string[] = [];
    const base: Record<string, number> = { ETH: 3300, BTC: 95000, TRX: 0.25 };
    for (let t = Date.parse('2024-12-30T00:00:00Z'), i = 0; t < Date.parse('2025-04-02T00:00:00Z'); t += 3_600_000, i++) {
      for (const asset of ['ETH', 'BTC', 'TRX']) prices.push(JSON.stringify({ schema: 'market.price.v1', asset, quote: 'USD', price: (base[asset]! * (1 + 0.1 * Math.sin(i / 50))).toFixed(4), observedAt: new Date(t).toISOString(), source: 'test-feed' }));
    }
    const [whole, early, late, priceFile] = ['whole.jsonl', 'early.jsonl', 'late.jsonl', 'prices.jsonl'].map((f) => join(dir, f)) as [string, string, string, string];
    writeFileSync(whole, lines.join('\n') + '\n');
    writeFileSync(early, lines.slice(0, 3_472).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_472).join('\n') + '\n');
    writeFileSync(priceFile, prices.join('\n') + '\n');
    const store = join(dir, 'checkpoints');

    await tidewatch('replay', whole, '--prices', priceFile, '--alerts', join(dir, 'whole.alerts.jsonl'), '--quiet');
    await tidewatch('replay', early, '--prices', priceFile, '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', store, '--quiet');
    await tidewatch('replay', late, '--prices', priceFile, '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', store, '--quiet');

    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read('late.alerts.jsonl')).toContain('"source":"market.prices:test-feed@');
    expect(read('late.alerts.jsonl')).not.toContain('"source":"table"');
    expect(read('early.alerts.jsonl') + read('late.alerts.jsonl')).toBe(read('whole.alerts.jsonl'));
  });

  it('names a sanctions list given that is not the checkpoint\'s in a warning, under --quiet too, and keeps the checkpoint\'s labels in force', async () => {
    const dir = tempDir('tw-ckpt-cli-sdn-');
    const lines = sampleLines();
    const [early, late] = [join(dir, 'early.jsonl'), join(dir, 'late.jsonl')];
    writeFileSync(early, lines.slice(0, 3_000).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_000).join('\n') + '\n');
    const sdn = JSON.parse(readFileSync(DEFAULT_SDN_PATH, 'utf8')) as { entries: Record<string, unknown>[] };
    const added = join(dir, 'sdn-added.json');
    writeFileSync(added, JSON.stringify({ ...sdn, entries: [...sdn.entries, { ...sdn.entries[0]!, address: '0x810c1b5e9b55ae2b5b3ae6d3f5e6dc4bd2f30486', uid: '99999' }] }));
    const store = join(dir, 'checkpoints');
    await tidewatch('replay', early, '--checkpoint-out', store, '--quiet');
    const said: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => { said.push(String(line)); });
    try {
      await tidewatch('replay', late, '--checkpoint-from', store, '--quiet');
      expect(said.filter((l) => l.includes('sanctions list'))).toEqual([]);
      await tidewatch('replay', late, '--checkpoint-from', store, '--checkpoint-out', join(dir, 'next'), '--ofac', added, '--quiet');
    } finally {
      spy.mockRestore();
    }
    const warning = said.find((l) => l.includes('sanctions list'));
    expect(warning).toMatch(/^warning: the sanctions list given \(\d+ labels, OFAC SDN .*\) is not the one .* was built with \(\d+ labels, OFAC SDN .*\): the checkpoint's labels stay in force/);
    // The checkpoint written after it still names the list its labels came from, not the one given.
    const next = await loadNewestValid(join(dir, 'next'), { build: emptyPipeline(), rules: rules() });
    const first = await loadNewestValid(store, { build: emptyPipeline(), rules: rules() });
    expect((next?.header.positions as { sdn?: unknown }).sdn).toEqual((first?.header.positions as { sdn?: unknown }).sdn);
  });

  it('refuses to go on when the checkpoint used (the newest was corrupt) leaves lines of a file that is not given unapplied', async () => {
    const dir = tempDir('tw-ckpt-cli-gap-');
    const lines = sampleLines();
    const [early, late] = [join(dir, 'early.jsonl'), join(dir, 'late.jsonl')];
    writeFileSync(early, lines.slice(0, 3_000).join('\n') + '\n');
    writeFileSync(late, lines.slice(3_000).join('\n') + '\n');
    const store = join(dir, 'checkpoints');
    await tidewatch('replay', early, '--alerts', join(dir, 'early.alerts.jsonl'), '--checkpoint-out', store, '--checkpoint-every', '1200', '--quiet');
    const newest = join(store, readdirSync(store).sort().at(-1)!);
    const bytes = readFileSync(newest);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(newest, bytes);
    // The one before covers early.jsonl to line 2,400: lines 2,401 to 3,000 would be skipped.
    await expect(tidewatch('replay', late, '--alerts', join(dir, 'late.alerts.jsonl'), '--checkpoint-from', store, '--quiet'))
      .rejects.toThrow(`covers ${early} only to line 2400 of 3000, and ${early} is not among the files given: lines 2401 to 3000 would never be applied. Give ${early} again`);

    // Its advice followed: early.jsonl given again goes on from line 2,401, its first 2,400 lines
    // not read a second time (they were, counted as duplicates), and the alerts are the whole
    // replay's after the first 2,400 lines.
    const prefix = join(dir, 'prefix.jsonl');
    writeFileSync(prefix, lines.slice(0, 2_400).join('\n') + '\n');
    await tidewatch('replay', prefix, '--alerts', join(dir, 'prefix.alerts.jsonl'), '--quiet');
    await tidewatch('replay', samplePath, '--alerts', join(dir, 'whole.jsonl'), '--quiet');
    const resumed = join(dir, 'resumed');
    await tidewatch('replay', early, late, '--alerts', join(dir, 'resumed.alerts.jsonl'), '--checkpoint-from', store, '--checkpoint-out', resumed, '--quiet');
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read('prefix.alerts.jsonl') + read('resumed.alerts.jsonl')).toBe(read('whole.jsonl'));
    const after = await loadNewestValid(resumed, { build: emptyPipeline(), rules: rules() });
    expect(after?.pipeline.stats).toMatchObject({ read: lines.length, duplicates: 0 });

    // A file replaced since the checkpoint read it is refused, not skipped blindly.
    writeFileSync(early, [...lines.slice(0, 2_399), lines[2_500]!, ...lines.slice(2_400, 3_000)].join('\n') + '\n');
    await expect(tidewatch('replay', early, late, '--checkpoint-from', store, '--quiet'))
      .rejects.toThrow(`applied ${early} to line 2400, and ${early} has another line 2400 now: it is not the file the checkpoint read`);
  });

  it('refuses --checkpoint-from a directory with no valid checkpoint rather than replay on an empty state', async () => {
    await expect(tidewatch('replay', samplePath, '--checkpoint-from', tempDir('tw-ckpt-cli-empty-'), '--quiet')).rejects.toThrow(/no valid checkpoint there/);
  });

  it('refuses a checkpoint folder that is a file or missing before replaying anything, naming the flag', async () => {
    const dir = tempDir('tw-ckpt-cli-paths-');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const alerts = join(dir, 'alerts.jsonl');
    await expect(tidewatch('replay', samplePath, '--alerts', alerts, '--checkpoint-out', file, '--quiet')).rejects.toThrow(`--checkpoint-out: ${file} is a file, not a folder for checkpoints`);
    // Refused at start: the replay wrote no alerts file.
    expect(existsSync(alerts)).toBe(false);
    await expect(tidewatch('replay', samplePath, '--checkpoint-from', file, '--quiet')).rejects.toThrow(`--checkpoint-from: ${file} is a file; give the folder that holds the checkpoints`);
    await expect(tidewatch('replay', samplePath, '--checkpoint-from', join(dir, 'none'), '--quiet')).rejects.toThrow(`--checkpoint-from: ${join(dir, 'none')} does not exist`);
    await expect(tidewatch('replay', samplePath, '--rules', join(dir, 'none'), '--quiet')).rejects.toThrow(`rules folder not found: ${join(dir, 'none')}`);
  });

  it('refuses --checkpoint-every without --checkpoint-out', async () => {
    await expect(tidewatch('replay', samplePath, '--checkpoint-every', '10', '--quiet')).rejects.toThrow(/needs --checkpoint-out/);
  });
});
