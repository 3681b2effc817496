import { describe, expect, it } from 'vitest';
import { isServerPath, notificationFrom, sameOriginUrl } from './payload';

const ORIGIN = 'https://stellarr.example.com';

describe('notificationFrom', () => {
	it('shows what the server sent', () => {
		const shown = notificationFrom(
			{
				title: 'Movie Available',
				body: 'Star Trek has been added to the library!',
				tag: 'fulfilled-movie-13475',
				icon: 'https://image.tmdb.org/t/p/w185/a.jpg',
				image: '/poster.png',
				url: '/title/movie/13475'
			},
			ORIGIN
		);
		expect(shown).toEqual({
			title: 'Movie Available',
			options: {
				body: 'Star Trek has been added to the library!',
				tag: 'fulfilled-movie-13475',
				icon: 'https://image.tmdb.org/t/p/w185/a.jpg',
				image: `${ORIGIN}/poster.png`,
				data: { url: `${ORIGIN}/title/movie/13475` }
			}
		});
	});

	it('falls back to the app for anything missing, mistyped or foreign', () => {
		for (const payload of [null, 'text', 42, [], { title: '  ', body: 7, tag: {}, icon: 'javascript:alert(1)' }]) {
			expect(notificationFrom(payload, ORIGIN)).toEqual({
				title: 'Stellarr',
				options: { body: '', icon: `${ORIGIN}/icons/icon-192.png`, data: { url: `${ORIGIN}/` } }
			});
		}
	});

	it('never links to another site', () => {
		for (const url of ['https://elsewhere.example/phish', '//elsewhere.example/x', 'javascript:alert(1)']) {
			expect(notificationFrom({ url }, ORIGIN).options.data).toEqual({ url: `${ORIGIN}/` });
		}
	});
});

describe('sameOriginUrl and isServerPath', () => {
	it('keeps links into the app', () => {
		expect(sameOriginUrl('/requests?x=1', ORIGIN)).toBe(`${ORIGIN}/requests?x=1`);
		expect(sameOriginUrl(`${ORIGIN}/title/tv/253`, ORIGIN)).toBe(`${ORIGIN}/title/tv/253`);
	});

	it('knows the server paths the worker leaves alone', () => {
		expect(['/api/requests', '/list/radarr', '/rss/x', '/webhook/plex', '/sync', '//api/x'].map(isServerPath)).toEqual(
			Array(6).fill(true)
		);
		expect(['/', '/requests', '/title/movie/1', '/apis', '/_app/immutable/x.js'].map(isServerPath)).toEqual(
			Array(5).fill(false)
		);
	});
});
