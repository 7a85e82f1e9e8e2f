import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../node/log/logger.ts';

describe('logger', () => {
  it('writes one JSON object per line, with bigints and bytes readable, and filters by level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'json' }, (l) => lines.push(l)).child('chain');
    log.debug('hidden');
    log.info('block imported', { height: 3, work: 1n << 70n, hash: new Uint8Array([0xab, 0xcd]) });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', module: 'chain', msg: 'block imported', height: 3, work: '1180591620717411303424', hash: '0xabcd' });
  });

  it('pretty format puts level, module, message and key=value pairs on one line', () => {
    const lines: string[] = [];
    createLogger({ level: 'debug', format: 'pretty' }, (l) => lines.push(l)).child('rpc').warn('slow call', { method: 'chain_head', ms: 12 });
    expect(lines[0]).toMatch(/ WARN  \[rpc\] slow call method=chain_head ms=12$/);
  });
});
