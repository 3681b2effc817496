// The Requests page's logic, kept free of runes and components so vitest runs it as is:
// the shape /api/requests returns, filtering with counts, sorting, paging and the feed
// warnings.

export type MediaType = 'movie' | 'tv';
export type RequestStatus = 'pending' | 'added';

/** One entry of GET /api/requests (MediaRequest.to_json on the server). */
export interface RequestItem {
	tmdb_id: number;
	media_type: MediaType;
	title: string;
	year: string | number | null;
	overview?: string | null;
	poster_path: string | null;
	imdb_id: string | null;
	tvdb_id: number | null;
	status: RequestStatus;
	requested_at: string;
	requested_by: string;
	added_at: string | null;
	/** Which seasons (shows); absent from an older server, which means all. */
	monitor?: string;
}

export type MediaFilter = 'all' | MediaType;
export type StatusFilter = 'all' | RequestStatus;
export type SortOrder = 'newest' | 'oldest' | 'title';
/** Whose requests: one's own (members start there) or the whole household's. */
export type WhoseFilter = 'mine' | 'all';

export const MEDIA_FILTERS: readonly MediaFilter[] = ['all', 'movie', 'tv'];
export const STATUS_FILTERS: readonly StatusFilter[] = ['all', 'pending', 'added'];
export const SORT_ORDERS: readonly SortOrder[] = ['newest', 'oldest', 'title'];
export const PAGE_SIZE = 20;

/** The list from the server's JSON, dropping anything that is not a request. */
export function parseRequests(body: unknown): RequestItem[] {
	const list = (body as { requests?: unknown } | null)?.requests;
	if (!Array.isArray(list)) return [];
	return list.filter(
		(item): item is RequestItem =>
			!!item &&
			typeof item === 'object' &&
			typeof (item as RequestItem).tmdb_id === 'number' &&
			((item as RequestItem).media_type === 'movie' || (item as RequestItem).media_type === 'tv') &&
			typeof (item as RequestItem).title === 'string'
	);
}

export function matches(item: RequestItem, media: MediaFilter, status: StatusFilter): boolean {
	return (media === 'all' || item.media_type === media) && (status === 'all' || item.status === status);
}

/**
 * How many items each choice of one filter would show, given the other filter: the count
 * beside "Movies" is what choosing Movies shows with the status filter as it is.
 */
export function counts(
	items: readonly RequestItem[],
	media: MediaFilter,
	status: StatusFilter
): { media: Record<MediaFilter, number>; status: Record<StatusFilter, number> } {
	const byMedia = { all: 0, movie: 0, tv: 0 };
	const byStatus = { all: 0, pending: 0, added: 0 };
	for (const item of items) {
		if (matches(item, 'all', status)) {
			byMedia.all++;
			byMedia[item.media_type]++;
		}
		if (matches(item, media, 'all')) {
			byStatus.all++;
			byStatus[item.status]++;
		}
	}
	return { media: byMedia, status: byStatus };
}

/** Sorted copy; titles compare in the reader's language, ties fall back to newest first. */
export function sortRequests(items: readonly RequestItem[], order: SortOrder, locale: string): RequestItem[] {
	const collator = new Intl.Collator(locale, { sensitivity: 'base', numeric: true });
	const newest = (a: RequestItem, b: RequestItem) => b.requested_at.localeCompare(a.requested_at);
	const compare =
		order === 'title'
			? (a: RequestItem, b: RequestItem) => collator.compare(a.title, b.title) || newest(a, b)
			: order === 'oldest'
				? (a: RequestItem, b: RequestItem) => -newest(a, b)
				: newest;
	return items.slice().sort(compare);
}

export function pageCount(total: number, size = PAGE_SIZE): number {
	return Math.max(1, Math.ceil(total / size));
}

/** Page `page` (1-based, clamped to the pages there are). */
export function pageOf<T>(items: readonly T[], page: number, size = PAGE_SIZE): { items: T[]; page: number } {
	const last = pageCount(items.length, size);
	const current = Math.min(Math.max(1, Math.trunc(page) || 1), last);
	return { items: items.slice((current - 1) * size, current * size), page: current };
}

/**
 * Why a pending request would be missing from a feed: the StevenLu list (/list/radarr) only
 * carries movies with an IMDb id, and older Sonarr versions only import shows by TVDB id.
 * Added requests are in no feed at all, so they get no warning.
 */
export type FeedWarning = 'noImdb' | 'noTvdb';

export function feedWarning(item: RequestItem): FeedWarning | null {
	if (item.status !== 'pending') return null;
	if (item.media_type === 'movie' && !item.imdb_id) return 'noImdb';
	if (item.media_type === 'tv' && !item.tvdb_id) return 'noTvdb';
	return null;
}

export function isMediaFilter(value: string | null): value is MediaFilter {
	return value !== null && (MEDIA_FILTERS as readonly string[]).includes(value);
}
export function isStatusFilter(value: string | null): value is StatusFilter {
	return value !== null && (STATUS_FILTERS as readonly string[]).includes(value);
}
export function isSortOrder(value: string | null): value is SortOrder {
	return value !== null && (SORT_ORDERS as readonly string[]).includes(value);
}

/** Where the list starts: members with their own requests, admins with everyone's. */
export function defaultWhose(isAdmin: boolean): WhoseFilter {
	return isAdmin ? 'all' : 'mine';
}

export function isWhoseFilter(value: string | null): value is WhoseFilter {
	return value === 'mine' || value === 'all';
}

/** Lower case, accents and punctuation left out: "Amélie" is found by "amelie". */
function folded(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{M}+/gu, '')
		.toLocaleLowerCase()
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim();
}

/**
 * The requests the person is looking at before the type and status filters: their own when
 * `whose` is "mine" (made under the same login name), and those whose title (or year)
 * holds every word of `text`.
 */
export function narrow(items: readonly RequestItem[], whose: WhoseFilter, me: string, text: string): RequestItem[] {
	const words = folded(text).split(' ').filter(Boolean);
	return items.filter((item) => {
		if (whose === 'mine' && item.requested_by !== me) return false;
		if (!words.length) return true;
		const haystack = folded(`${item.title} ${item.year ?? ''}`);
		return words.every((word) => haystack.includes(word));
	});
}
