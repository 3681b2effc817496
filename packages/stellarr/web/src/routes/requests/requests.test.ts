import { describe, expect, it } from 'vitest';
import {
	counts,
	defaultWhose,
	feedWarning,
	matches,
	narrow,
	pageCount,
	pageOf,
	parseRequests,
	sortRequests,
	type RequestItem
} from './requests';

function item(over: Partial<RequestItem>): RequestItem {
	return {
		tmdb_id: 1,
		media_type: 'movie',
		title: 'A',
		year: 2000,
		poster_path: null,
		imdb_id: 'tt1',
		tvdb_id: null,
		status: 'pending',
		requested_at: '2024-01-01T00:00:00+00:00',
		requested_by: 'alice',
		added_at: null,
		...over
	};
}

const list = [
	item({ tmdb_id: 1, title: 'Zodiac', requested_at: '2024-01-03T00:00:00+00:00' }),
	item({ tmdb_id: 2, title: 'alien', status: 'added', requested_at: '2024-01-01T00:00:00+00:00' }),
	item({ tmdb_id: 3, media_type: 'tv', title: 'Émile', tvdb_id: 9, requested_at: '2024-01-02T00:00:00+00:00' })
];

describe('requests page logic', () => {
	it('keeps only well-formed requests', () => {
		expect(parseRequests({ requests: [list[0], { title: 1 }, null] })).toEqual([list[0]]);
		expect(parseRequests(null)).toEqual([]);
	});

	it('counts each choice of one filter under the other', () => {
		expect(counts(list, 'all', 'all')).toEqual({
			media: { all: 3, movie: 2, tv: 1 },
			status: { all: 3, pending: 2, added: 1 }
		});
		expect(counts(list, 'movie', 'pending')).toEqual({
			media: { all: 2, movie: 1, tv: 1 },
			status: { all: 2, pending: 1, added: 1 }
		});
		expect(list.filter((r) => matches(r, 'tv', 'added'))).toEqual([]);
	});

	it('sorts by date either way and by title in the reader’s language', () => {
		expect(sortRequests(list, 'newest', 'en').map((r) => r.tmdb_id)).toEqual([1, 3, 2]);
		expect(sortRequests(list, 'oldest', 'en').map((r) => r.tmdb_id)).toEqual([2, 3, 1]);
		expect(sortRequests(list, 'title', 'fr').map((r) => r.title)).toEqual(['alien', 'Émile', 'Zodiac']);
	});

	it('pages and clamps the page number', () => {
		const many = Array.from({ length: 45 }, (_, i) => i);
		expect(pageCount(45)).toBe(3);
		expect(pageCount(0)).toBe(1);
		expect(pageOf(many, 3)).toEqual({ items: [40, 41, 42, 43, 44], page: 3 });
		expect(pageOf(many, 99).page).toBe(3);
		expect(pageOf(many, Number.NaN).page).toBe(1);
	});

	it('warns about pending titles a feed will skip', () => {
		expect(feedWarning(item({ imdb_id: null }))).toBe('noImdb');
		expect(feedWarning(item({ media_type: 'tv', tvdb_id: null }))).toBe('noTvdb');
		expect(feedWarning(item({ imdb_id: null, status: 'added' }))).toBeNull();
		expect(feedWarning(list[2]!)).toBeNull();
	});
});

describe('mine and the text search', () => {
	const household = [
		item({ tmdb_id: 1, title: 'Amélie', year: 2001, requested_by: 'alice' }),
		item({ tmdb_id: 2, title: 'Star Trek: Nemesis', year: 2002, requested_by: 'bob' }),
		item({ tmdb_id: 3, title: 'Star Wars', year: 1977, requested_by: 'alice' })
	];
	const ids = (found: RequestItem[]) => found.map((r) => r.tmdb_id);

	it('starts members on their own requests and admins on everyone\'s', () => {
		expect(defaultWhose(false)).toBe('mine');
		expect(defaultWhose(true)).toBe('all');
	});
	it('keeps what the login name asked for', () => {
		expect(ids(narrow(household, 'mine', 'alice', ''))).toEqual([1, 3]);
		expect(ids(narrow(household, 'all', 'alice', ''))).toEqual([1, 2, 3]);
	});
	it('finds titles by every word, without case, accents or punctuation', () => {
		expect(ids(narrow(household, 'all', 'alice', 'AMELIE'))).toEqual([1]);
		expect(ids(narrow(household, 'all', 'alice', 'star'))).toEqual([2, 3]);
		expect(ids(narrow(household, 'all', 'alice', 'trek nemesis'))).toEqual([2]);
		expect(ids(narrow(household, 'all', 'alice', 'star 1977'))).toEqual([3]);
		expect(ids(narrow(household, 'mine', 'bob', 'wars'))).toEqual([]);
	});
});
