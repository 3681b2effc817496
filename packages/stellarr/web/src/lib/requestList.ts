// The household's requests (GET /api/requests), kept between pages: Requests and Discover's
// household rows show the last list at once, and asking again costs a 304 when nothing
// changed (the server sends an ETag).
import { api } from '$lib/api/client';
import { parseRequests, type RequestItem } from '../routes/requests/requests';

const cache: { etag: string | null; items: RequestItem[] | null } = { etag: null, items: null };

/** The list as last fetched, or null before the first answer. */
export function cachedRequests(): RequestItem[] | null {
	return cache.items;
}

/** The list now; failures are the caller's to report. */
export async function fetchRequests(): Promise<RequestItem[]> {
	const answer = await api.send('get', '/api/requests', {
		headers: cache.etag && cache.items ? { 'If-None-Match': cache.etag } : {}
	});
	if (answer.status !== 304 || !cache.items) {
		cache.items = parseRequests(answer.data);
		cache.etag = answer.headers.get('ETag');
	}
	return cache.items;
}
