/** Checkpoints of the pipeline state: the public API (see checkpoint.ts). */
export { DEFAULT_KEEP, loadNewestValid, restoreCheckpoint, saveCheckpoint, verifyCheckpoint, type LoadOptions, type RestoredCheckpoint, type SavedCheckpoint, type SaveOptions } from './checkpoint.js';
export { DirectoryStore } from './directory-store.js';
export { CheckpointError } from './errors.js';
export { RedisCheckpointStore, redisPeerStores, type RedisCheckpointStoreOptions } from './redis-store.js';
export { FORMAT_VERSION, ruleFingerprint, type CheckpointHeader } from './header.js';
export type { CheckpointSink, CheckpointStore } from './store.js';
