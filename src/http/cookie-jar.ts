import { describe } from '../values.js';

interface Cookie {
  name: string;
  value: string;
  /** Lower-case domain; `hostOnly` cookies match it exactly, others also its subdomains. */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** Expiry as a Date.now() time, or null for a session cookie. */
  expires: number | null;
}

/**
 * Keeps the cookies servers set (`Set-Cookie`) and sends them back on later requests of a
 * `ClientSession` (aiohttp.CookieJar): domain, path, `Secure`, `Expires` and `Max-Age` are
 * honoured. Cookies live in memory for the jar's lifetime.
 *
 * @example
 * import { ClientSession, CookieJar } from 'aio-ts/http';
 *
 * const jar = new CookieJar();
 * const session = new ClientSession({ cookieJar: jar });
 * // … after a login response that set `sid`:
 * // jar.get('http://127.0.0.1:8080/', 'sid') → its value
 */
export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  /** The number of cookies held (expired ones are dropped when seen). */
  get size(): number {
    return this.#cookies.size;
  }

  /** Stores the cookies of `setCookie` header values, received from `url`. Bad or foreign-domain cookies are ignored. */
  update(url: URL, setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const cookie = parseSetCookie(line, url);
      if (cookie === null) continue;
      const key = `${cookie.domain};${cookie.path};${cookie.name}`;
      if (cookie.expires !== null && cookie.expires <= Date.now()) this.#cookies.delete(key);
      else this.#cookies.set(key, cookie);
    }
  }

  /** The `Cookie` header value for a request to `url`, or '' if no cookie applies. */
  cookieHeader(url: URL): string {
    return this.#matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** The value of cookie `name` that a request to `url` would send, or null. */
  get(url: string | URL, name: string): string | null {
    const target = typeof url === 'string' ? new URL(url) : url;
    if (!(target instanceof URL)) throw new TypeError(`CookieJar.get() expects url to be a string or URL, got ${describe(url)}`);
    return this.#matching(target).find((c) => c.name === name)?.value ?? null;
  }

  /** Forgets every cookie. */
  clear(): void {
    this.#cookies.clear();
  }

  #matching(url: URL): Cookie[] {
    const host = url.hostname.toLowerCase();
    const now = Date.now();
    const found: Cookie[] = [];
    for (const [key, c] of this.#cookies) {
      if (c.expires !== null && c.expires <= now) {
        this.#cookies.delete(key);
        continue;
      }
      const domainOk = c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`);
      if (!domainOk || !pathMatches(url.pathname, c.path) || (c.secure && url.protocol !== 'https:')) continue;
      found.push(c);
    }
    // Longer paths first (RFC 6265 §5.4).
    return found.sort((a, b) => b.path.length - a.path.length);
  }
}

function parseSetCookie(line: string, url: URL): Cookie | null {
  const [pair, ...attributes] = line.split(';');
  const eq = pair!.indexOf('=');
  if (eq <= 0) return null;
  const host = url.hostname.toLowerCase();
  const cookie: Cookie = {
    name: pair!.slice(0, eq).trim(),
    value: pair!.slice(eq + 1).trim(),
    domain: host,
    hostOnly: true,
    path: defaultPath(url.pathname),
    secure: false,
    expires: null,
  };
  let maxAge: number | null = null;
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? '' : attribute.slice(i + 1).trim();
    if (key === 'domain' && value !== '') {
      const domain = value.replace(/^\./, '').toLowerCase();
      if (host !== domain && !host.endsWith(`.${domain}`)) return null; // a server may not set cookies for others
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === 'path' && value.startsWith('/')) {
      cookie.path = value;
    } else if (key === 'secure') {
      cookie.secure = true;
    } else if (key === 'max-age' && /^-?\d+$/.test(value)) {
      maxAge = Number(value);
    } else if (key === 'expires') {
      const when = Date.parse(value);
      if (!Number.isNaN(when)) cookie.expires = when;
    }
  }
  if (maxAge !== null) cookie.expires = Date.now() + maxAge * 1000; // Max-Age wins over Expires
  return cookie;
}

function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
