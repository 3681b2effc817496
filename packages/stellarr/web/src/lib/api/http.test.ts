import { describe, expect, it } from 'vitest';
import {
	ApiError,
	createClient,
	detailOf,
	fillPath,
	loginUrl,
	queryString,
	retryAfterSeconds,
	safeNext,
	type ClientConfig
} from './http';

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: unknown, calls: Call[], headers: Record<string, string> = {}) {
	return async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
		calls.push({ url: String(url), init: init ?? {} });
		const text = body === undefined ? null : JSON.stringify(body);
		return new Response(text, {
			status,
			headers: { 'content-type': 'application/json', ...headers }
		});
	};
}

const MESSAGES: ClientConfig['messages'] = { network: () => 'offline', http: (f) => `HTTP ${f.status}` };

function client(
	status: number,
	body: unknown,
	calls: Call[],
	token: string | null = 'tok',
	headers: Record<string, string> = {}
) {
	const events: string[] = [];
	const api = createClient({
		fetch: fakeFetch(status, body, calls, headers),
		getToken: () => token,
		onUnauthorized: () => events.push('logout'),
		messages: MESSAGES,
		onReach: (reached) => events.push(reached ? 'reached' : 'unreachable')
	});
	return { api, events };
}

describe('client', () => {
	it('sends the bearer token and JSON body, and returns the JSON', async () => {
		const calls: Call[] = [];
		const { api } = client(201, { ok: true }, calls);
		const data = await api.post('/api/request', { body: { tmdb_id: 13475, media_type: 'movie' } });
		expect(data).toEqual({ ok: true });
		const headers = calls[0]!.init.headers as Record<string, string>;
		expect(calls[0]!.url).toBe('/api/request');
		expect(calls[0]!.init.method).toBe('POST');
		expect(headers.Authorization).toBe('Bearer tok');
		expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ tmdb_id: 13475, media_type: 'movie' });
	});

	it('fills and encodes path parameters', async () => {
		const calls: Call[] = [];
		const { api } = client(204, undefined, calls);
		await api.delete('/api/request/{media_type}/{tmdb_id}', { path: { media_type: 'tv', tmdb_id: 1399 } });
		expect(calls[0]!.url).toBe('/api/request/tv/1399');
	});

	it('logs out on a 401 of an authenticated call, keeping the detail out of the message', async () => {
		const { api, events } = client(401, { detail: 'Token expired' }, []);
		const error = await api.get('/api/requests').catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ApiError);
		expect((error as ApiError).status).toBe(401);
		// The detail is English: the message is the app's own, in the user's language.
		expect((error as ApiError).message).toBe('HTTP 401');
		expect((error as ApiError).detail).toBe('Token expired');
		expect(events).toEqual(['reached', 'logout']);
	});

	it('leaves a 401 of the login itself to the caller', async () => {
		const calls: Call[] = [];
		const { api, events } = client(401, { detail: 'Wrong password' }, calls);
		await expect(
			api.post('/api/auth/verify', {
				auth: false,
				body: { origin: 'https://x', timestamp: 1, hash: 'h', name: 'a' }
			})
		).rejects.toMatchObject({ status: 401, detail: 'Wrong password', message: 'HTTP 401' });
		expect(events).toEqual(['reached']);
		expect((calls[0]!.init.headers as Record<string, string>).Authorization).toBeUndefined();
	});

	it('names the status when the server gives no detail, and the network when unreachable', async () => {
		await expect(client(502, null, []).api.get('/api/health')).rejects.toThrow('HTTP 502');
		const offline = createClient({
			fetch: () => Promise.reject(new TypeError('Failed to fetch')),
			getToken: () => null,
			onUnauthorized: () => undefined,
			messages: MESSAGES
		});
		await expect(offline.get('/api/health')).rejects.toMatchObject({ status: 0, message: 'offline' });
	});

	it('reads Retry-After into the error', async () => {
		const { api } = client(429, { detail: 'Too many failed logins' }, [], null, { 'Retry-After': '42' });
		await expect(api.get('/api/requests')).rejects.toMatchObject({ status: 429, retryAfter: 42 });
	});

	it('tells whether Stellarr answered: network failures and bare gateway errors are not answers', async () => {
		const events: string[] = [];
		const onReach = (reached: boolean) => events.push(reached ? 'reached' : 'unreachable');
		const base = { getToken: () => null, onUnauthorized: () => undefined, messages: MESSAGES, onReach };
		const down = createClient({ ...base, fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
		await expect(down.get('/api/health')).rejects.toMatchObject({ status: 0 });
		const proxy = createClient({ ...base, fetch: async () => new Response('<h1>Bad Gateway</h1>', { status: 502 }) });
		await expect(proxy.get('/api/health')).rejects.toMatchObject({ status: 502 });
		const upstream = createClient({ ...base, fetch: fakeFetch(502, { detail: 'TMDB answered 500' }, []) });
		await expect(upstream.get('/api/health')).rejects.toMatchObject({ status: 502 });
		const fine = createClient({ ...base, fetch: fakeFetch(200, { ok: true }, []) });
		await fine.get('/api/health');
		expect(events).toEqual(['unreachable', 'unreachable', 'reached', 'reached']);
	});

	it('passes an abort through as the abort', async () => {
		const controller = new AbortController();
		controller.abort();
		const api = createClient({
			fetch: (_url, init) => Promise.reject(init?.signal?.reason),
			getToken: () => null,
			onUnauthorized: () => undefined,
			messages: MESSAGES
		});
		const error = await api.get('/api/health', { signal: controller.signal }).catch((e: unknown) => e);
		expect((error as Error).name).toBe('AbortError');
	});

	it('returns 304 answers with their headers through send', async () => {
		const api = createClient({
			fetch: async () => new Response(null, { status: 304, headers: { etag: '"v1"' } }),
			getToken: () => 'tok',
			onUnauthorized: () => undefined,
			messages: MESSAGES
		});
		const answer = await api.send('get', '/api/library-status', { headers: { 'If-None-Match': '"v1"' } });
		expect(answer.status).toBe(304);
		expect(answer.headers.get('etag')).toBe('"v1"');
	});
});

describe('helpers', () => {
	it('reads Retry-After as seconds or a date', () => {
		const now = Date.parse('2024-05-17T21:30:00Z');
		expect(retryAfterSeconds('120', now)).toBe(120);
		expect(retryAfterSeconds('Fri, 17 May 2024 21:31:30 GMT', now)).toBe(90);
		expect(retryAfterSeconds('Fri, 17 May 2024 21:00:00 GMT', now)).toBe(0);
		expect(retryAfterSeconds('soon', now)).toBeNull();
		expect(retryAfterSeconds(null, now)).toBeNull();
	});
	it('reads FastAPI details', () => {
		expect(detailOf({ detail: 'Nope' })).toBe('Nope');
		expect(detailOf({ detail: [{ msg: 'a' }, { msg: 'b' }] })).toBe('a; b');
		expect(detailOf('x')).toBeNull();
	});
	it('builds URLs', () => {
		expect(fillPath('/a/{x}', { x: 'a b/c' })).toBe('/a/a%20b%2Fc');
		expect(queryString({ a: 1, b: undefined, c: ['x', 'y'] })).toBe('?a=1&c=x&c=y');
		expect(queryString({})).toBe('');
	});
	it('keeps deep links same-origin', () => {
		expect(safeNext('/title/movie/1?x=1#top')).toBe('/title/movie/1?x=1#top');
		const bad = ['https://evil.example', '//evil.example', '/\\evil', null, '', '/login?next=/x', '/login'];
		// URL parsers drop tabs and newlines and read a backslash as "/": each of these is //evil.
		bad.push('/\t/evil.example', '/\n/evil.example', '/\\/evil.example', '/\t\\evil.example');
		for (const path of bad) expect(safeNext(path, 'https://stellarr.example')).toBe('/');
		expect(safeNext('/requests?a=1#x', 'https://stellarr.example')).toBe('/requests?a=1#x');
		expect(safeNext('//evil.example')).toBe('/'); // the page's own origin by default
		expect(loginUrl('/requests?status=open')).toBe('/login?next=%2Frequests%3Fstatus%3Dopen');
		expect(loginUrl('/')).toBe('/login');
	});
	it('hands on only what still parses to a path of this origin', () => {
		const origin = 'https://stellarr.example';
		// Each leaves the origin, some only once the result is parsed again: dot segments (also
		// percent-encoded ones, which URL parsers decode) resolve to the path "//evil.example".
		const off = [
			'/..//evil.example',
			'/%2e%2e//evil.example',
			'/.%2E//evil.example/x?y#z',
			'/a/../..//evil.example',
			'//evil.example',
			'/\\evil.example',
			'https://evil.example',
			'javascript:alert(1)'
		];
		// Where a value lands: resolved once, then its path resolved again, as goto() will.
		const landsOn = (value: string): string => {
			const once = new URL(value, origin);
			if (once.origin !== origin) return once.origin;
			return new URL(`${once.pathname}${once.search}${once.hash}`, origin).origin;
		};
		for (const value of off) {
			expect(landsOn(value), value).not.toBe(origin); // each case is a real way out
			expect(safeNext(value, origin), value).toBe('/');
			expect(landsOn(safeNext(value, origin)), value).toBe(origin);
		}
		expect(safeNext('/requests?x=1#y', origin)).toBe('/requests?x=1#y');
		expect(safeNext('/a/../requests?x=1#y', origin)).toBe('/requests?x=1#y');
		expect(loginUrl('/..//evil.example')).toBe('/login');
	});
});

describe('types', () => {
	it('come from the schema', async () => {
		const { api } = client(200, [], []);
		// @ts-expect-error not an API path
		await api.get('/api/nope').catch(() => null);
		// @ts-expect-error the request needs its body
		await api.post('/api/request', {}).catch(() => null);
		// @ts-expect-error a path parameter is missing
		await api.delete('/api/request/{media_type}/{tmdb_id}', { path: { media_type: 'tv' } }).catch(() => null);
		// @ts-expect-error a wrong media type
		await api.post('/api/request', { body: { tmdb_id: 1, media_type: 'book' } }).catch(() => null);
	});
});
