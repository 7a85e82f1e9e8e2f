// A stable peer id per datadir: the node's libp2p key (Ed25519) is created on first start and
// kept in <datadir>/p2p/key (protobuf, as libp2p marshals it, file mode 0600).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';

export type PeerKey = ReturnType<typeof privateKeyFromProtobuf>;

export async function loadOrCreatePeerKey(datadir: string): Promise<{ key: PeerKey; created: boolean }> {
  const dir = join(datadir, 'p2p');
  const file = join(dir, 'key');
  try {
    return { key: privateKeyFromProtobuf(await readFile(file)), created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the peer key ${file}: ${(e as Error).message}`);
  }
  const key = await generateKeyPair('Ed25519');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
