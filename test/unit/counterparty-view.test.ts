/**
 * The counterparty's view in a rule's context: a class with lazy getters (an object literal with
 * getters costs V8 a runtime call per trigger). It must read, list and serialise as the literal did.
 */
import { describe, expect, it } from 'vitest';
import { buildContext, COUNTERPARTY_FIELDS } from '../../src/engine/engine.js';
import { getPath, renderTemplate } from '../../src/engine/conditions.js';
import { contextFields } from '../../src/engine/rule-paths.js';
import { EntityGraph } from '../../src/graph/entity-graph.js';
import { Decimal } from '../../src/money/decimal.js';
import type { TransferEvent } from '../../src/decode/events.js';

const KEY = 'evm:0x00000000000000000000000000000000000000aa';

function withdrawalTo(graph: EntityGraph): TransferEvent {
  graph.id(KEY);
  return { type: 'transfer', eventId: 'w1', time: 1_000, msg: { kind: 'withdrawal', accountId: 'acct-1' } as TransferEvent['msg'], from: [], to: KEY, amount: Decimal.ZERO, usd: null, usdSource: null };
}

describe('counterparty view', () => {
  it('lists exactly the six fields rules may read, in order', () => {
    expect(COUNTERPARTY_FIELDS).toEqual(['addresses', 'labels', 'entities', 'cluster', 'clusterSize', 'own']);
    expect(contextFields().counterparty).toEqual(COUNTERPARTY_FIELDS);
  });

  it('answers paths and templates, and serialises every field, without exposing the graph', () => {
    const graph = new EntityGraph();
    const ctx = buildContext(withdrawalTo(graph), graph, 1_000);
    expect(getPath(ctx, 'counterparty.clusterSize')).toBe(1);
    expect(getPath(ctx, 'counterparty.labels')).toEqual([]);
    expect(getPath(ctx, 'counterparty.own')).toBe(false);
    expect(getPath(ctx, 'counterparty.graph')).toBeUndefined();
    const shown = getPath(ctx, 'counterparty.addresses') as string[];
    expect(shown).toHaveLength(1);
    expect(renderTemplate('paid {counterparty.addresses}', { ...ctx, score: 1 })).toBe(`paid ${shown[0]}`);
    const json = JSON.parse(JSON.stringify(ctx.counterparty)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([...COUNTERPARTY_FIELDS]);
    expect(json.cluster).toBe(getPath(ctx, 'counterparty.cluster'));
  });
});
