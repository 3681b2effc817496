// The shapes of titles as search, trending and the library status list them. The API
// returns these as untyped JSON (search/trending are pass-through dictionaries), so the
// app's view of them is written down here once.
import type { components } from '$lib/api/schema';

export type MediaType = components['schemas']['MediaType'];

/** One card of search or trending (stellarr/domain/tmdb_fields.listing + search flags). */
export interface MediaItem {
	id: number;
	media_type: MediaType;
	title: string;
	year: number | null;
	overview: string | null;
	poster_path: string | null;
	vote_average: number | null;
	/** Search answers say; trending lists do not (they are the same for everyone). */
	requested?: boolean;
	in_library?: boolean;
	number_of_seasons?: number | null;
}

export interface SearchPage {
	results: MediaItem[];
	page: number;
	total_pages: number;
	total_results: number;
}

const POSTER_BASE = 'https://image.tmdb.org/t/p/';

/** A TMDB image URL at one of TMDB's fixed widths (w185 cards, w342 title page, w780/w1280 backdrops). */
/** Poster widths TMDB's image server has (besides `original`). */
export const POSTER_WIDTHS = [92, 154, 185, 342, 500, 780] as const;
type ImageSize = `w${(typeof POSTER_WIDTHS)[number]}` | 'w1280';

export function imageUrl(path: string | null | undefined, size: ImageSize = 'w185'): string | null {
	return path ? `${POSTER_BASE}${size}${path}` : null;
}

/** A title as cards, rows and pages name it: "Title (2009)"; no year, just the title. */
export function titleLine(item: { title: string; year?: string | number | null }): string {
	return item.year ? `${item.title} (${item.year})` : item.title;
}

export function titleHref(mediaType: MediaType, id: number): string {
	return `/title/${mediaType}/${id}`;
}

/** Keeps only well-formed movie/show items: a bad entry drops out rather than breaking the grid. */
export function mediaItems(value: unknown): MediaItem[] {
	if (!Array.isArray(value)) return [];
	return value.filter(
		(item): item is MediaItem =>
			!!item &&
			typeof item === 'object' &&
			typeof (item as MediaItem).id === 'number' &&
			((item as MediaItem).media_type === 'movie' || (item as MediaItem).media_type === 'tv') &&
			typeof (item as MediaItem).title === 'string'
	);
}
