import { MemoryCaseStore } from '../../src/cases/memory-case-store.js';
import { caseStoreSuite } from '../conformance/case-store-suite.js';

caseStoreSuite('memory', async () => new MemoryCaseStore());
