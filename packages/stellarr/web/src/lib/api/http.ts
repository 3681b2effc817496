// A thin fetch wrapper typed from the generated OpenAPI schema (schema.d.ts). Pure: the app's
// instance (client.ts) plugs in the session, the i18n messages and the login redirect, and
// unit tests plug in a fake fetch.
import { stellarrDown } from './gateway';
import type { paths } from './schema';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The API paths that have `method`, e.g. PathsFor<'post'> includes '/api/request'. */
export type PathsFor<M extends Method> = {
	[P in keyof paths]: paths[P][M] extends undefined | never ? never : P;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type ParamsOf<O> = O extends { parameters: infer X } ? X : Record<string, never>;
type JsonOf<C> = C extends { content: { 'application/json': infer B } } ? B : undefined;
type BodyOf<O> = O extends { requestBody: infer R } ? JsonOf<NonNullable<R>> : undefined;
type Ok = 200 | 201 | 202 | 204;
/** The JSON of the operation's success response(s). */
export type ResponseOf<O> = O extends { responses: infer R }
	? { [S in keyof R]: S extends Ok ? JsonOf<R[S]> : never }[keyof R]
	: never;

type Query<O> = ParamsOf<O> extends { query?: infer Q } ? Q : never;
type PathParams<O> = ParamsOf<O> extends { path?: infer Q } ? Q : never;

/** Options of one call; `path`, `query` and `body` are typed from the schema. */
export type Options<O> = {
	signal?: AbortSignal;
	/** Extra request headers, e.g. If-None-Match. */
	headers?: Record<string, string>;
	/** false: no bearer token, and a 401 is this call's own answer (the login itself). */
	auth?: boolean;
} & ([Query<O>] extends [never | undefined] ? { query?: never } : { query?: Query<O> }) &
	([PathParams<O>] extends [never | undefined] ? { path?: never } : { path: PathParams<O> }) &
	([BodyOf<O>] extends [undefined] ? { body?: never } : { body: BodyOf<O> });

export type Answer<T> = { status: number; data: T; headers: Headers };

/**
 * A failed call: `status` 0 when the server was not reached. `message` is for people, in
 * their language; `detail` is the server's own (English) reason, for code and logs only.
 */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly detail: string | null = null,
		readonly body: unknown = null,
		/** Seconds the server asked to wait (Retry-After), when it said. */
		readonly retryAfter: number | null = null
	) {
		super(message);
		this.name = 'ApiError';
	}
}

/** Retry-After as whole seconds from now: delta-seconds or an HTTP date; null if unusable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | null {
	const text = value?.trim();
	if (!text) return null;
	if (/^\d+$/.test(text)) return Number(text);
	const when = Date.parse(text);
	return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - now) / 1000));
}

/** FastAPI's `detail`: a string, or a list of validation errors with `msg`. */
export function detailOf(body: unknown): string | null {
	if (!body || typeof body !== 'object' || !('detail' in body)) return null;
	const detail = (body as { detail: unknown }).detail;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		const messages = detail
			.map((item: unknown) => (item && typeof item === 'object' && 'msg' in item ? String(item.msg) : ''))
			.filter(Boolean);
		return messages.length ? messages.join('; ') : null;
	}
	return null;
}

/** Fills `{name}` segments of an OpenAPI path; each value is URL-encoded. */
export function fillPath(template: string, params: Record<string, unknown> | undefined): string {
	return template.replace(/\{(\w+)\}/g, (_, name: string) => {
		const value = params?.[name];
		if (value === undefined || value === null) throw new Error(`missing path parameter ${name}`);
		return encodeURIComponent(String(value));
	});
}

export function queryString(query: Record<string, unknown> | undefined): string {
	if (!query) return '';
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(query)) {
		if (value === undefined || value === null) continue;
		for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
	}
	const text = search.toString();
	return text ? `?${text}` : '';
}

/** Stands in for the page's origin where there is none (unit tests). */
const NO_ORIGIN = 'http://stellarr.invalid';

/**
 * A same-origin path to go back to after logging in, or '/' for anything else. The browser's
 * own URL parser decides, not prefix checks: it drops tabs and newlines and reads
 * backslashes as slashes, so "/\t/evil.com" is "//evil.com", another site.
 */
export function safeNext(value: string | null | undefined, origin = globalThis.location?.origin ?? NO_ORIGIN): string {
	if (!value || !value.startsWith('/')) return '/';
	let url: URL;
	try {
		url = new URL(value, origin);
	} catch {
		return '/';
	}
	if (url.origin !== origin) return '/';
	if (url.pathname === '/login' || url.pathname.startsWith('/login/')) return '/';
	// Resolving dot segments can make a path that another parse reads as a host:
	// "/..//evil.example" (or "/%2e%2e//evil.example") resolves to the path
	// "//evil.example", which goto() would take for https://evil.example. So what is handed
	// on must itself parse back to this very URL, on this origin.
	const path = `${url.pathname}${url.search}${url.hash}`;
	let again: URL;
	try {
		again = new URL(path, origin);
	} catch {
		return '/';
	}
	return again.origin === origin && again.href === url.href ? path : '/';
}

export function loginUrl(next: string): string {
	const target = safeNext(next);
	return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}

/** What an HTTP failure says about itself, to choose a message from. */
export interface HttpFailure {
	status: number;
	/** The server's reason: for choosing, never for showing (it is English). */
	detail: string | null;
	retryAfter: number | null;
}

export interface ClientConfig {
	fetch?: typeof fetch;
	getToken(): string | null;
	/** A 401 on an authenticated call: the token is stale. */
	onUnauthorized(): void;
	/** The user-facing text of a failure, whatever the call was for (callers may refine it). */
	messages: { network(): string; http(failure: HttpFailure): string };
	/**
	 * Whether Stellarr answered: false when the network failed or a gateway answered for a
	 * Stellarr it could not reach; true on any answer of Stellarr's own, errors included.
	 */
	onReach?(reached: boolean): void;
}

export function createClient(config: ClientConfig) {
	async function send<P extends keyof paths, M extends Method>(
		method: M,
		path: P,
		options: Options<Operation<P, M>> = {} as Options<Operation<P, M>>
	): Promise<Answer<ResponseOf<Operation<P, M>>>> {
		const opts = options as {
			signal?: AbortSignal;
			headers?: Record<string, string>;
			auth?: boolean;
			query?: Record<string, unknown>;
			path?: Record<string, unknown>;
			body?: unknown;
		};
		const useAuth = opts.auth !== false;
		const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
		if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
		const token = useAuth ? config.getToken() : null;
		if (token) headers.Authorization = `Bearer ${token}`;
		const url = fillPath(path as string, opts.path) + queryString(opts.query);
		let response: Response;
		try {
			response = await (config.fetch ?? fetch)(url, {
				method: method.toUpperCase(),
				headers,
				body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
				signal: opts.signal
			});
		} catch (error) {
			// An abort is the caller's own decision: let it through as the AbortError it is.
			if (opts.signal?.aborted) throw opts.signal.reason ?? error;
			config.onReach?.(false);
			throw new ApiError(0, config.messages.network());
		}
		const body = await readBody(response);
		if (response.ok || response.status === 304) {
			config.onReach?.(true);
			return { status: response.status, data: body as ResponseOf<Operation<P, M>>, headers: response.headers };
		}
		const detail = detailOf(body);
		if (stellarrDown(response.status, detail)) config.onReach?.(false);
		else if (detail !== null) config.onReach?.(true); // a refusal, but Stellarr's own
		if (response.status === 401 && useAuth && token) config.onUnauthorized();
		const wait = retryAfterSeconds(response.headers.get('Retry-After'));
		const message = config.messages.http({ status: response.status, detail, retryAfter: wait });
		throw new ApiError(response.status, message, detail, body, wait);
	}

	function call<M extends Method>(method: M) {
		return async <P extends PathsFor<M>>(
			path: P,
			...rest: {} extends Options<Operation<P, M>>
				? [options?: Options<Operation<P, M>>]
				: [options: Options<Operation<P, M>>]
		): Promise<ResponseOf<Operation<P, M>>> => (await send(method, path, rest[0])).data;
	}

	return {
		/** Status, data and headers (ETag, 304 answers): for conditional requests. */
		send,
		get: call('get'),
		post: call('post'),
		put: call('put'),
		patch: call('patch'),
		delete: call('delete')
	};
}

async function readBody(response: Response): Promise<unknown> {
	if (response.status === 204 || response.status === 304) return undefined;
	const type = response.headers.get('content-type') ?? '';
	if (type.includes('json')) return response.json().catch(() => null);
	return response.text().catch(() => null);
}
