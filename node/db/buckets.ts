// Every key in the node's LevelDB starts with one byte naming its bucket. Retired ids are
// never reused: add new buckets at the end, mark retired ones in a comment.
// (After Lodestar's beacon-node/src/db/buckets.ts.)
export enum Bucket {
  /** block hash (32) -> encodeBlock(block); canonical and side-branch blocks alike */
  block = 0x01,
  /** u64be(height) -> block hash (32); the canonical chain only */
  canonical = 0x02,
  /** block hash (32) -> encode([encodeHeader(header), cumulative work as 32-byte big-endian]); every stored block */
  blockIndex = 0x03,
  /** state key (vm key bytes: 0x01||address, 0x02||u32be(height), ...) -> state value; the head state */
  state = 0x04,
  /** block hash (32) -> encodeStateDiff(diff of applying that block); canonical blocks (kept for side blocks once applied) */
  undo = 0x05,
  /** tx hash (32) -> encode([block hash, index in block]); canonical chain only */
  txIndex = 0x06,
  /** (empty) -> head block hash (32); written in the same batch as the state it names */
  head = 0x07,
  /** utf8 meta name ('genesis', 'schema') -> value (genesis hash; encode(schema version)) */
  meta = 0x08,
  /** u64be(round) -> encode([checkpointRoot, openedAt, [tensor bytes (int32 LE)...]]): W_R as the round opened (weights then momentum) */
  checkpoint = 0x09,
  /** u64be(round) -> encode([checkpointRoot, accuracyBp, lossMilli, heldOutSamples, contributions averaged into W_R]): held-out evaluation of W_R (node-side, not consensus) */
  roundEval = 0x0a,
  /** utf8 libp2p peer id -> encode([banned until (unix seconds), reason code]): peers the network refuses, kept across restarts */
  peerBan = 0x14,
  /** u64be(round) || u32be(lane) -> encode([baseRoot, laneLeafBytes(lane, leaf)]): the leaf (final weights root, step commitments) of every lane this node's miner finished, kept for the challenge window to serve lane openings against a part's lanesRoot (network step-data; node-side) */
  laneLeaf = 0x15,
  // 0x0b..0x0f: reserved (consensus hardening)
  /** u64be(round) || u32be(lane) -> encode([baseRoot, [step weights roots...]]): the mining node's own landed lanes, for serving per-step data after a restart (node-side) */
  ownLane = 0x10,
  /** block hash (32) -> encode([encodePartHeader bytes...]): the part headers of a canonical block whose part bodies were pruned (the block bucket then holds it without its parts) */
  prunedParts = 0x11,
  /** u32be(i) -> encoded signed tx: the mempool at the last clean stop, in pool order (node/mempool/journal.ts) */
  mempoolJournal = 0x18,
  /** u64be(round) || miner(20) || u32be(laneStart) || u32be(lane) || u32be(step) || validator(20) -> encodeAttestation: validators' attestations this node checked and kept (node/validator/store.ts) */
  attestation = 0x20,
}

export function key(bucket: Bucket, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  out[0] = bucket;
  let off = 1;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Bounds for iterating every key of a bucket. */
export function bucketRange(bucket: Bucket): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: new Uint8Array([bucket]), lt: new Uint8Array([bucket + 1]) };
}
