// Child process of the SIGKILL test: opens the chain in <datadir> and imports every block of
// <blocks file> (encode([block bytes...])) in order, skipping those already stored, printing
// "ready" once the chain is open and "imported <i>" after each new block. The parent kills it with SIGKILL at points of its choosing.
import { readFileSync } from 'node:fs';
import { ChainDb } from '../../../node/db/db.ts';
import { Chain } from '../../../node/chain/chain.ts';
import { ChainErrorCode } from '../../../node/chain/errors.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { TEST_SEAL } from '../../../consensus/seal.ts';
import { decodeCanonical } from '../../../consensus/codec.ts';
import { isTesseraError } from '../../../consensus/errors.ts';
import { testNet, testNow } from './chain-builder.ts';

const [datadir, blocksFile] = process.argv.slice(2);
if (!datadir || !blocksFile) {
  process.stderr.write('usage: import-child.ts <datadir> <blocks file>\n');
  process.exit(2);
}
const blocks = decodeCanonical(new Uint8Array(readFileSync(blocksFile)), 'blocks') as Uint8Array[];
const net = testNet();
const db = new ChainDb({ path: datadir });
await db.open();
const chain = await Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL });
process.stdout.write('ready\n');
for (let i = 0; i < blocks.length; i++) {
  try {
    await chain.importBlock(blocks[i]!);
    process.stdout.write(`imported ${i}\n`);
  } catch (e) {
    if (!(isTesseraError(e) && e.code === ChainErrorCode.ALREADY_KNOWN)) throw e;
  }
}
await chain.close();
await db.close();
process.stdout.write('done\n');
