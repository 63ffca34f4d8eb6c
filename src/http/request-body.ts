import { FormData as UndiciFormData } from 'undici';
import { describe } from '../values.js';
import { StreamReader } from '../streams/stream-reader.js';

/**
 * What `data` may be: text, bytes, a form (`FormData` → multipart, a plain object or
 * `URLSearchParams` → urlencoded), an async iterable of chunks or a `StreamReader` of
 * `aio-ts/streams` (both streamed).
 */
export type RequestData =
  | string
  | Uint8Array
  | ArrayBuffer
  | URLSearchParams
  | FormData
  | Record<string, string | number | boolean>
  | AsyncIterable<Uint8Array | string>
  | StreamReader;

/** @internal A body ready for undici: what to send, its default Content-Type, and whether it can be sent twice (redirects). */
export interface EncodedBody {
  body: string | Uint8Array | FormData | AsyncIterable<Uint8Array> | null;
  contentType: string | null;
  replayable: boolean;
}

const NO_BODY: EncodedBody = { body: null, contentType: null, replayable: true };

/** @internal Turns the `json`/`data` options into a body; throws TypeError for anything else. */
export function encodeBody(call: string, options: { json?: unknown; data?: unknown }): EncodedBody {
  const { json, data } = options;
  if (json !== undefined && data !== undefined) {
    throw new TypeError(`${call}: pass either json or data, not both`);
  }
  if (json !== undefined) {
    const text = JSON.stringify(json);
    if (text === undefined) throw new TypeError(`${call} expects json to be JSON-serializable, got ${describe(json)}`);
    return { body: text, contentType: 'application/json', replayable: true };
  }
  if (data === undefined || data === null) return NO_BODY;
  if (typeof data === 'string') return { body: data, contentType: 'text/plain; charset=utf-8', replayable: true };
  if (data instanceof Uint8Array) return { body: data, contentType: 'application/octet-stream', replayable: true };
  if (data instanceof ArrayBuffer) return { body: new Uint8Array(data), contentType: 'application/octet-stream', replayable: true };
  if (data instanceof URLSearchParams) {
    return { body: data.toString(), contentType: 'application/x-www-form-urlencoded', replayable: true };
  }
  if (data instanceof FormData || data instanceof UndiciFormData) {
    // undici writes the multipart body and boundary, but only for its own FormData class: Node's
    // global one comes from the undici bundled in Node, whose internals differ.
    const form = new UndiciFormData();
    for (const [name, value] of data as Iterable<[string, string | Blob]>) form.append(name, value as never);
    return { body: form as unknown as FormData, contentType: null, replayable: true };
  }
  if (data instanceof StreamReader) {
    // Its own iteration gives lines (a long binary line would hit its limit): read blocks instead.
    return { body: blocksOf(data), contentType: 'application/octet-stream', replayable: false };
  }
  if (typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    return { body: chunks(call, data as AsyncIterable<unknown>), contentType: 'application/octet-stream', replayable: false };
  }
  if (isPlainObject(data)) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(data)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new TypeError(`${call} expects form field ${JSON.stringify(key)} to be a string, number or boolean, got ${describe(value)}`);
      }
      form.append(key, String(value));
    }
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded', replayable: true };
  }
  throw new TypeError(
    `${call} expects data to be a string, Uint8Array, ArrayBuffer, URLSearchParams, FormData, plain object or async iterable, got ${describe(data)} (for JSON use the json option)`,
  );
}

/** Streams a StreamReader to its end, block by block (what is buffered, up to its limit). */
async function* blocksOf(reader: StreamReader): AsyncGenerator<Uint8Array, void, undefined> {
  for (;;) {
    const block = await reader.read(reader.limit);
    if (block.length === 0) return;
    yield block;
  }
}

/** Streams an async iterable, checking each chunk (strings are sent as UTF-8). */
async function* chunks(call: string, source: AsyncIterable<unknown>): AsyncGenerator<Uint8Array, void, undefined> {
  const encoder = new TextEncoder();
  for await (const chunk of source) {
    if (typeof chunk === 'string') yield encoder.encode(chunk);
    else if (chunk instanceof Uint8Array) yield chunk;
    else throw new TypeError(`${call} expects a streamed data chunk to be a Uint8Array or a string, got ${describe(chunk)}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
