/**
 * `aio-ts/http`: an aiohttp-style HTTP client (`ClientSession`, on undici) and server
 * (`serve`, on node:http, every request its own cancellable Task).
 */
export { ClientSession, type ClientSessionOptions, type ClientTimeout, type RequestOptions, type HeadersInit, type Params } from './client-session.js';
export { ClientResponse, type JsonOptions } from './client-response.js';
export { BodyReader } from './body-reader.js';
export { CookieJar } from './cookie-jar.js';
export { type RequestData } from './request-body.js';
export {
  ClientError,
  ClientResponseError,
  TooManyRedirects,
  ContentTypeError,
  ClientConnectionError,
  ClientConnectorError,
  ClientSSLError,
  ClientConnectorCertificateError,
  ServerDisconnectedError,
  ClientPayloadError,
  InvalidURL,
  ServerTimeoutError,
  ConnectionTimeoutError,
  SocketTimeoutError,
  type RequestInfo,
  type ResponseErrorInit,
} from './errors.js';
export { serve, HttpServer, type Handler, type HandlerResult, type ServeOptions, type CloseOptions } from './server.js';
export { ServerRequest } from './server-request.js';
export { Response, type ResponseBody, type ResponseInit } from './response.js';
export { retry, isTransientError, type RetryOptions } from './retry.js';
