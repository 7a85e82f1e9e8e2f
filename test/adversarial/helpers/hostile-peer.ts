// TEST ONLY: a libp2p peer that speaks tessera's gossip topics and request protocols and sends
// whatever a test tells it to (garbage, oversize messages, forged blocks and contributions,
// request floods). It runs in the test process against real node processes; nothing of the node
// imports it.
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { lpStream } from 'it-length-prefixed-stream';
import { sha256 } from '../../../consensus/hash.ts';
import { fromHex } from '../../../consensus/bytes.ts';
import { topicsFor, type TopicKind, type Topics } from '../../../node/network/topics.ts';
import { protocolId, type ProtocolName } from '../../../node/network/reqresp.ts';
import { decodeResponseCode, ResponseCode } from '../../../node/network/messages.ts';

export class HostilePeer {
  private constructor(
    readonly node: Libp2p<{ pubsub: GossipSub }>,
    readonly topics: Topics,
    readonly genesis: Uint8Array,
  ) {}

  static async create(genesisHex: string): Promise<HostilePeer> {
    const genesis = fromHex(genesisHex);
    const topics = topicsFor(genesis);
    const node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (m) => sha256(new TextEncoder().encode(m.topic), m.data).subarray(0, 20),
          maxInboundDataLength: 64 * 1024 * 1024,
        }) as never,
      },
    });
    for (const t of Object.values(topics)) (node.services as { pubsub: GossipSub }).pubsub.subscribe(t);
    return new HostilePeer(node as unknown as Libp2p<{ pubsub: GossipSub }>, topics, genesis);
  }

  get id(): string {
    return this.node.peerId.toString();
  }

  /** Dials the target and waits until it is subscribed to every topic here (or throws). */
  async connect(addr: string, timeoutMs = 20_000): Promise<void> {
    const ma = multiaddr(addr);
    await this.node.dial(ma, { signal: AbortSignal.timeout(timeoutMs) });
    const target = ma.getPeerId()!;
    const end = Date.now() + timeoutMs;
    while (!Object.values(this.topics).every((t) => this.node.services.pubsub.getSubscribers(t).some((p) => p.toString() === target))) {
      if (Date.now() > end) throw new Error('the target never announced its topics');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  connectedTo(peerId: string): boolean {
    return this.node.getPeers().some((p) => p.toString() === peerId);
  }

  async publish(kind: TopicKind, data: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(this.topics[kind], data);
  }

  /** One raw request: returns the response code and the item frames (undefined code: no answer). */
  async request(peerId: string, name: ProtocolName, req: Uint8Array): Promise<{ code: ResponseCode | undefined; frames: Uint8Array[] }> {
    const { peerIdFromString } = await import('@libp2p/peer-id');
    const signal = AbortSignal.timeout(10_000);
    const stream = await this.node.dialProtocol(peerIdFromString(peerId), protocolId(this.genesis, name), { signal });
    const lp = lpStream(stream, { maxDataLength: 16 * 1024 * 1024 });
    await lp.write(req, { signal });
    await stream.closeWrite({ signal });
    const frames: Uint8Array[] = [];
    let code: ResponseCode | undefined;
    try {
      code = decodeResponseCode((await lp.read({ signal })).subarray());
      for (;;) frames.push((await lp.read({ signal })).subarray());
    } catch {
      /* end of stream */
    }
    return { code, frames };
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}
