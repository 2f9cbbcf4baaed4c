/**
 * Prevout addresses are checked against what each input offers to spend them (session 42 QA: a
 * forged prevout merged an SDN address into an ordinary co-spend cluster). Every real mainnet
 * transaction passes with its true prevouts; a stated address its input cannot spend is refused
 * with the input's index; an unsigned transaction is taken as stated, an unsigned input of a
 * signed one is not.
 */
import * as bitcoin from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { BitcoinTxError, parseBitcoinTx } from '../../src/chain/bitcoin.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { coinjoins, inputAddress, multiInput, type FixtureTx } from '../helpers/mainnet.js';
import { rules } from '../helpers/sample.js';

const SDN_LEGACY = '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h';
const SDN_SEGWIT = 'bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6';
const p2wpkhOf = (byte: number): string => bitcoin.payments.p2wpkh({ hash: Buffer.alloc(20, byte) }).address!;

const fixtureTxs = (): FixtureTx[] => [...multiInput().cases.flatMap((c) => c.transactions), ...coinjoins().transactions];

function truePrevouts(hex: string): { address: string | null; value: string }[] {
  return bitcoin.Transaction.fromHex(hex).ins.map((i) => ({ address: inputAddress(i), value: '0' }));
}

/** A one-output transaction whose inputs carry the given scriptSigs and witnesses (signatures need not be valid: only their shape is read). */
function spending(inputs: { scriptSig?: Uint8Array; witness?: Uint8Array[] }[]): { hex: string; txid: string } {
  const tx = new bitcoin.Transaction();
  tx.version = 2;
  inputs.forEach((input, n) => tx.addInput(Buffer.alloc(32, n + 1), 0, 0xfffffffd, input.scriptSig ?? Buffer.alloc(0)));
  inputs.forEach((input, n) => { tx.ins[n]!.witness = input.witness ?? []; });
  tx.addOutput(bitcoin.address.toOutputScript(p2wpkhOf(9)), 10_000n);
  return { hex: tx.toHex(), txid: tx.getId() };
}

const SIG = Buffer.alloc(71, 0x30);
const PUBKEY = Buffer.concat([Buffer.from([0x02]), Buffer.alloc(32, 0x11)]);

function refusal(hex: string, txid: string, prevouts: { address: string | null; value: string }[]): string | undefined {
  try {
    parseBitcoinTx(hex, txid, prevouts);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(BitcoinTxError);
    return (err as Error).message;
  }
}

describe('prevout addresses must be what their inputs spend', () => {
  it('passes every mainnet fixture transaction with its true prevouts (P2PKH and P2WPKH inputs)', () => {
    let checked = 0;
    for (const tx of fixtureTxs()) {
      const prevouts = truePrevouts(tx.hex);
      checked += prevouts.filter((p) => p.address !== null).length;
      expect(refusal(tx.hex, tx.txid, prevouts), tx.txid).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('refuses a mainnet transaction whose prevout names a sanctioned address its input never held, naming the input', () => {
    const legacy = fixtureTxs().find((tx) => truePrevouts(tx.hex).some((p) => p.address?.startsWith('1')))!;
    const legacyPrevouts = truePrevouts(legacy.hex);
    const at = legacyPrevouts.findIndex((p) => p.address?.startsWith('1'));
    legacyPrevouts[at] = { address: SDN_LEGACY, value: '0' };
    expect(refusal(legacy.hex, legacy.txid, legacyPrevouts)).toMatch(new RegExp(`^prevouts\\.${at}\\.address ${SDN_LEGACY} is not what input ${at} spends: the input's scriptSig spends 1`));

    const segwit = fixtureTxs().find((tx) => truePrevouts(tx.hex).some((p) => p.address?.startsWith('bc1q')))!;
    const segwitPrevouts = truePrevouts(segwit.hex);
    const i = segwitPrevouts.findIndex((p) => p.address?.startsWith('bc1q'));
    segwitPrevouts[i] = { address: SDN_SEGWIT, value: '0' };
    expect(refusal(segwit.hex, segwit.txid, segwitPrevouts)).toMatch(/is not what input \d+ spends: the input's witness key spends bc1q/);
    // A legacy address for an input that offers only a witness cannot be right either.
    segwitPrevouts[i] = { address: SDN_LEGACY, value: '0' };
    expect(refusal(segwit.hex, segwit.txid, segwitPrevouts)).toContain('this input has none (only a witness)');
  });

  it('checks P2SH and P2WSH by their scripts and P2TR by its shape', () => {
    const redeem = bitcoin.payments.p2ms({ m: 1, pubkeys: [PUBKEY] }).output!;
    const p2sh = bitcoin.payments.p2sh({ redeem: { output: redeem } }).address!;
    const p2wsh = bitcoin.payments.p2wsh({ redeem: { output: redeem } }).address!;
    const taproot = bitcoin.address.toBech32(Buffer.alloc(32, 0x22), 1, 'bc');
    const { hex, txid } = spending([
      { scriptSig: bitcoin.script.compile([bitcoin.opcodes.OP_0, SIG, redeem]) },
      { witness: [Buffer.alloc(0), SIG, redeem] },
      { witness: [Buffer.alloc(64, 0x33)] },
    ]);
    const good = [p2sh, p2wsh, taproot].map((address) => ({ address, value: '20000' }));
    expect(refusal(hex, txid, good)).toBeUndefined();
    const otherP2sh = bitcoin.payments.p2sh({ hash: Buffer.alloc(20, 0x44) }).address!;
    expect(refusal(hex, txid, [{ address: otherP2sh, value: '1' }, ...good.slice(1)])).toMatch(/^prevouts\.0\.address 3\w+ is not what input 0 spends: the input's scriptSig spends 3/);
    const otherP2wsh = bitcoin.payments.p2wsh({ hash: Buffer.alloc(32, 0x55) }).address!;
    expect(refusal(hex, txid, [good[0]!, { address: otherP2wsh, value: '1' }, good[2]!])).toMatch(/^prevouts\.1\.address bc1q\w+ is not what input 1 spends: the input's witness script spends bc1q/);
    expect(refusal(hex, txid, [good[0]!, good[1]!, { address: p2wpkhOf(7), value: '1' }])).toContain('a P2WPKH output is spent with a witness of 2 items, not 1');
    expect(refusal(hex, txid, [good[0]!, good[1]!, { address: p2sh, value: '1' }])).toContain('prevouts.2.address');
  });

  it('takes an unsigned transaction as stated, but not an unsigned input of a signed one (a stripped witness keeps the txid)', () => {
    const unsigned = spending([{}, {}]);
    expect(refusal(unsigned.hex, unsigned.txid, [SDN_LEGACY, SDN_SEGWIT].map((address) => ({ address, value: '1' })))).toBeUndefined();
    const stripped = spending([{ scriptSig: bitcoin.script.compile([SIG, PUBKEY]) }, {}]);
    const mine = bitcoin.payments.p2pkh({ pubkey: PUBKEY }).address!;
    expect(refusal(stripped.hex, stripped.txid, [mine, SDN_SEGWIT].map((address) => ({ address, value: '1' })))).toMatch(/^prevouts\.1\.address bc1q\w+ is not what input 1 spends: this input of a signed transaction has neither scriptSig nor witness/);
    expect(refusal(stripped.hex, stripped.txid, [{ address: mine, value: '1' }, { address: null, value: '1' }])).toBeUndefined();
  });

  it("leaves a last push that is no public key unjudged for P2PKH (pay-to-pubkey, bare multisig named by a key's address), and judges a key", () => {
    const loneSig = spending([{ scriptSig: bitcoin.script.compile([SIG]) }]);
    expect(refusal(loneSig.hex, loneSig.txid, [{ address: SDN_LEGACY, value: '1' }])).toBeUndefined();
    const bareMultisig = spending([{ scriptSig: bitcoin.script.compile([bitcoin.opcodes.OP_0, SIG, SIG]) }]);
    expect(refusal(bareMultisig.hex, bareMultisig.txid, [{ address: SDN_LEGACY, value: '1' }])).toBeUndefined();
    const keyed = spending([{ scriptSig: bitcoin.script.compile([SIG, PUBKEY]) }]);
    expect(refusal(keyed.hex, keyed.txid, [{ address: bitcoin.payments.p2pkh({ pubkey: PUBKEY }).address!, value: '1' }])).toBeUndefined();
    const uncompressed = Buffer.concat([Buffer.from([0x04]), Buffer.alloc(64, 0x21)]);
    const keyed65 = spending([{ scriptSig: bitcoin.script.compile([SIG, uncompressed]) }]);
    expect(refusal(keyed65.hex, keyed65.txid, [{ address: bitcoin.payments.p2pkh({ hash: bitcoin.crypto.hash160(uncompressed) }).address!, value: '1' }])).toBeUndefined();
    expect(refusal(keyed.hex, keyed.txid, [{ address: SDN_LEGACY, value: '1' }])).toMatch(/^prevouts\.0\.address 12Qt\w+ is not what input 0 spends: the input's scriptSig spends 1/);
  });

  it('dead-letters the forged transaction in the pipeline, with the reason, and merges nothing', () => {
    const legacy = fixtureTxs().find((tx) => truePrevouts(tx.hex).filter((p) => p.address !== null).length > 1)!;
    const prevouts = truePrevouts(legacy.hex);
    prevouts[0] = { address: SDN_LEGACY, value: '0' };
    const line = JSON.stringify({ schema: 'chain.bitcoin.tx.v1', txid: legacy.txid, hex: legacy.hex, blockHeight: 702861, blockTime: '2021-09-30T11:50:41Z', prevouts });
    const p = new Pipeline({ rules: rules() });
    const out = p.process(line, { line: 1 });
    expect(out.deadLetter?.reason).toContain('prevouts.0.address');
    expect(p.stats.merges).toBe(0);
  });
});
