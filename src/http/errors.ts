import { TimeoutError } from '../errors.js';

/**
 * Errors of `aio-ts/http`, in aiohttp's hierarchy:
 *
 * ```text
 * ClientError
 * ├── ClientResponseError          (status, requestInfo, history, headers)
 * │   ├── TooManyRedirects
 * │   └── ContentTypeError         (json() on a body that is not JSON)
 * ├── ClientConnectionError
 * │   ├── ClientConnectorError     (could not connect: refused, DNS, …)
 * │   │   └── ClientSSLError       (the TLS handshake failed)
 * │   │       └── ClientConnectorCertificateError (the server's certificate is not trusted)
 * │   └── ServerDisconnectedError  (the server closed the connection mid-request)
 * ├── ClientPayloadError           (the body was malformed or cut short)
 * └── InvalidURL
 * TimeoutError (aio's)
 * └── ServerTimeoutError
 *     ├── ConnectionTimeoutError   (timeout.connect)
 *     └── SocketTimeoutError       (timeout.sockRead)
 * ```
 *
 * A `timeout.total` that passes throws aio's plain `TimeoutError`.
 */

/** What a request was, as carried by response errors (aiohttp's `RequestInfo`). */
export interface RequestInfo {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL requested (after `params` and `baseUrl` were applied). */
  readonly url: URL;
  /** The headers sent. */
  readonly headers: Headers;
}

/** The base class of every client error of `aio-ts/http` except timeouts (aiohttp.ClientError). */
export class ClientError extends Error {
  override name = 'ClientError';
}

/** Details of a response that failed (`raiseForStatus`, too many redirects, not JSON). */
export interface ResponseErrorInit {
  /** The status code of the response. */
  status: number;
  /** The reason phrase, or a description of the problem. */
  message: string;
  /** The response headers, if a response arrived. */
  headers?: Headers | null;
  /** The redirect responses that led here. */
  history?: readonly unknown[];
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * A response was received but is an error: a status >= 400 with `raiseForStatus`, too many
 * redirects, or a body of the wrong content type (aiohttp.ClientResponseError).
 */
export class ClientResponseError extends ClientError {
  override name = 'ClientResponseError';
  /** The status code of the response. */
  readonly status: number;
  /** The request that got this response. */
  readonly requestInfo: RequestInfo;
  /** The response headers, or null. */
  readonly headers: Headers | null;
  /** The redirect responses (`ClientResponse`s) that led here. */
  readonly history: readonly unknown[];

  /** The message reads like aiohttp's: `404, message="Not Found", url=…`. */
  constructor(requestInfo: RequestInfo, init: ResponseErrorInit) {
    super(`${init.status}, message=${JSON.stringify(init.message)}, url=${requestInfo.url.href}`, { cause: init.cause });
    this.status = init.status;
    this.requestInfo = requestInfo;
    this.headers = init.headers ?? null;
    this.history = init.history ?? [];
  }
}

/** More redirects than `maxRedirects` (aiohttp.TooManyRedirects). */
export class TooManyRedirects extends ClientResponseError {
  override name = 'TooManyRedirects';
}

/** `json()` on a response whose Content-Type is not JSON (aiohttp.ContentTypeError). */
export class ContentTypeError extends ClientResponseError {
  override name = 'ContentTypeError';
}

/** The connection to the server failed or was lost (aiohttp.ClientConnectionError). */
export class ClientConnectionError extends ClientError {
  override name = 'ClientConnectionError';
}

/** Could not connect: refused, unknown host, TLS failure, … (aiohttp.ClientConnectorError). */
export class ClientConnectorError extends ClientConnectionError {
  override name = 'ClientConnectorError';
}

/** The TLS handshake failed (aiohttp.ClientSSLError). */
export class ClientSSLError extends ClientConnectorError {
  override name = 'ClientSSLError';
}

/** The server's certificate was not trusted: self-signed, expired, wrong host… (aiohttp.ClientConnectorCertificateError). */
export class ClientConnectorCertificateError extends ClientSSLError {
  override name = 'ClientConnectorCertificateError';
}

/** The server closed the connection before the response was complete (aiohttp.ServerDisconnectedError). */
export class ServerDisconnectedError extends ClientConnectionError {
  override name = 'ServerDisconnectedError';
}

/** The response body could not be read as sent: wrong length, bad encoding (aiohttp.ClientPayloadError). */
export class ClientPayloadError extends ClientError {
  override name = 'ClientPayloadError';
}

/** A URL that cannot be parsed or has an unsupported scheme (aiohttp.InvalidURL). */
export class InvalidURL extends ClientError {
  override name = 'InvalidURL';
}

/** A connect or read timeout of the session's `timeout` passed (aiohttp.ServerTimeoutError). */
export class ServerTimeoutError extends TimeoutError {
  override name = 'ServerTimeoutError';
}

/** `timeout.connect` passed before the connection was made (aiohttp.ConnectionTimeoutError). */
export class ConnectionTimeoutError extends ServerTimeoutError {
  override name = 'ConnectionTimeoutError';
}

/** `timeout.sockRead` passed with nothing received (aiohttp.SocketTimeoutError). */
export class SocketTimeoutError extends ServerTimeoutError {
  override name = 'SocketTimeoutError';
}

/** Maps an undici (or socket) error to the class an aiohttp user expects. */
export function translateError(error: unknown, url: URL): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const where = `${url.origin}`;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ConnectionTimeoutError(`Connection timeout to ${where} (timeout.connect)`, { cause: error });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new SocketTimeoutError(`Timeout on reading data from ${where} (timeout.sockRead)`, { cause: error });
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      return new ServerDisconnectedError(`Server disconnected: ${where} (${error.message})`, { cause: error });
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'HPE_INVALID_CHUNK_SIZE':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return new ClientPayloadError(`Response payload is not completed: ${error.message} (${where})`, { cause: error });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new ClientConnectorError(`Cannot connect to host ${url.host}: ${error.message}`, { cause: error });
    default:
      if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
        return new ClientConnectorCertificateError(
          `Cannot connect to host ${url.host}: certificate not trusted (${error.message}; pass the CA to new ClientSession({ tls: { ca } }))`,
          { cause: error },
        );
      }
      if (typeof code === 'string' && /^ERR_(SSL|TLS)_/.test(code)) {
        return new ClientSSLError(`Cannot connect to host ${url.host}: TLS failed (${error.message})`, { cause: error });
      }
      if (typeof code === 'string' && code.startsWith('UND_ERR')) {
        return new ClientConnectionError(`${error.message} (${where})`, { cause: error });
      }
      if (typeof code === 'string' && code.startsWith('HPE_')) {
        return new ClientPayloadError(`Malformed response from ${where}: ${error.message}`, { cause: error });
      }
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
        return new ClientConnectorError(`Cannot connect to host ${url.host}: ${error.message}`, { cause: error });
      }
      return error;
  }
}
