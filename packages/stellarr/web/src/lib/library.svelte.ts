// What this household already requested or has, for the badges on every card: one cached
// copy of /api/library-status, revalidated with its ETag (a 304 costs the server almost
// nothing), plus this tab's own optimistic requests until the server confirms them.
import { api } from '$lib/api/client';
import type { MediaType } from '$lib/media';

const key = (mediaType: string, id: number): string => `${mediaType}:${id}`;

interface Status {
	library?: Record<string, number[]>;
	requests?: { media_type: string; tmdb_id: number }[];
}

const state = $state<{
	requested: ReadonlySet<string>;
	inLibrary: ReadonlySet<string>;
	/** Requests this tab made that the last status may not show yet. */
	optimistic: ReadonlySet<string>;
	loaded: boolean;
}>({ requested: new Set(), inLibrary: new Set(), optimistic: new Set(), loaded: false });

let etag: string | null = null;
let inFlight: Promise<void> | null = null;

function apply(status: Status): void {
	state.inLibrary = new Set(
		Object.entries(status.library ?? {}).flatMap(([mediaType, ids]) =>
			Array.isArray(ids) ? ids.map((id) => key(mediaType, id)) : []
		)
	);
	state.requested = new Set((status.requests ?? []).map((r) => key(r.media_type, r.tmdb_id)));
	state.loaded = true;
}

async function load(): Promise<void> {
	const headers: Record<string, string> = etag ? { 'If-None-Match': etag } : {};
	const answer = await api.send('get', '/api/library-status', { headers });
	if (answer.status === 304) return;
	etag = answer.headers.get('etag');
	apply(answer.data as Status);
}

export const library = {
	/** Reactive: true once the first status arrived. */
	get loaded(): boolean {
		return state.loaded;
	},
	/** Pending request by anyone in the household, or one this tab just made. */
	requested(mediaType: MediaType, id: number): boolean {
		const k = key(mediaType, id);
		return state.requested.has(k) || state.optimistic.has(k);
	},
	inLibrary(mediaType: MediaType, id: number): boolean {
		return state.inLibrary.has(key(mediaType, id));
	},
	/**
	 * Fetches the status again (If-None-Match: unchanged costs a 304). Concurrent callers
	 * share one request; failures are the caller's to report or ignore.
	 */
	refresh(): Promise<void> {
		inFlight ??= load().finally(() => {
			inFlight = null;
		});
		return inFlight;
	},
	/** Shows `mediaType/id` as requested at once, before the server answers. */
	markRequested(mediaType: MediaType, id: number): void {
		state.optimistic = new Set(state.optimistic).add(key(mediaType, id));
	},
	/** Takes back markRequested after the server refused. */
	unmarkRequested(mediaType: MediaType, id: number): void {
		const next = new Set(state.optimistic);
		next.delete(key(mediaType, id));
		state.optimistic = next;
	},
	/** A request was removed (Requests page): forget it here too until the next refresh. */
	forgetRequest(mediaType: MediaType, id: number): void {
		const k = key(mediaType, id);
		const requested = new Set(state.requested);
		requested.delete(k);
		state.requested = requested;
		library.unmarkRequested(mediaType, id);
	},
	/** Logging out: nothing of one user's view stays for the next. */
	clear(): void {
		etag = null;
		state.requested = new Set();
		state.inLibrary = new Set();
		state.optimistic = new Set();
		state.loaded = false;
	}
};
