// Writes and reads the safetensors format (https://huggingface.co/docs/safetensors):
//   u64 little-endian N | N bytes of JSON header (padded with spaces to 8-byte alignment) | data
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end)} relative to the
// start of the data section, plus an optional "__metadata__" map of string to string.

export type SafetensorsDtype = 'I8' | 'I16' | 'I32' | 'F32';

export interface Tensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Int8Array | Int16Array | Int32Array | Float32Array;
}

const BYTES: Record<SafetensorsDtype, number> = { I8: 1, I16: 2, I32: 4, F32: 4 };

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new RangeError(`tensor ${name}: shape ${t.shape.join('x')} holds ${count} values, data has ${t.data.length}`);
    const len = count * BYTES[t.dtype];
    if (len !== t.data.byteLength) throw new RangeError(`tensor ${name}: dtype ${t.dtype} does not match its data`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    // The format is little-endian; so is every platform Node runs on here (checked below).
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new RangeError('safetensors: shorter than its length prefix');
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new RangeError('safetensors: header runs past the end');
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString('utf8')) as Record<string, unknown>;
  const dataStart = 8 + n;
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = v as { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new RangeError(`safetensors: unsupported dtype ${dtype}`);
    const [b, e] = data_offsets;
    if (b < 0 || e < b || dataStart + e > bytes.length) throw new RangeError(`safetensors: tensor ${name} out of bounds`);
    const slice = bytes.slice(dataStart + b, dataStart + e);
    const data =
      dtype === 'I8' ? new Int8Array(slice.buffer) : dtype === 'I16' ? new Int16Array(slice.buffer) : dtype === 'I32' ? new Int32Array(slice.buffer) : new Float32Array(slice.buffer);
    tensors[name] = { dtype, shape, data };
  }
  return { tensors, metadata };
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian platforms are not supported');
