// The home page's warmed lists (trending, popular, upcoming): public files, the same for
// everyone and cacheable, so they come by plain fetch rather than the API client. One per
// UI language the server warms, with English as the fallback for any it did not.
import { mediaItems, type MediaItem } from './media';

export type TrendingKind = 'all' | 'movie' | 'tv';
/** The lists the warmer writes (the server's domain/trending.py LISTS). */
export type HomeList = 'trending' | 'popular' | 'upcoming';
const FALLBACK = 'en';

export async function homeList(
	list: HomeList,
	kind: TrendingKind,
	locale: string,
	signal?: AbortSignal
): Promise<MediaItem[]> {
	for (const wanted of new Set([locale, FALLBACK])) {
		const response = await fetch(`/${list}-${kind}-${encodeURIComponent(wanted)}.json`, { signal });
		if (response.ok) {
			const body: unknown = await response.json();
			return mediaItems((body as { results?: unknown } | null)?.results);
		}
	}
	return [];
}
