import { describe, expect, it } from 'vitest';
import { render } from '../i18n/format';
import { catalogues } from '../i18n/messages/all';
import { LOCALES } from '../i18n/types';
import { problemFor, type Failure, type Problem, type ProblemContext } from './problems';

const key = (failure: Failure, context?: ProblemContext): string => problemFor(failure, context).key;

/** The problem's text in `locale`, as t() would render it. */
function text(problem: Problem, locale: (typeof LOCALES)[number]): string {
	const [area, name] = problem.key.split('.') as [keyof (typeof catalogues)['en'], string];
	const messages = catalogues[locale][area] as Record<string, Parameters<typeof render>[1]>;
	return render(locale, messages[name]!, problem.params);
}

describe('problemFor', () => {
	it('tells a login refusal by status, never by showing the detail', () => {
		expect(key({ status: 401, detail: 'Invalid password' }, 'login')).toBe('errors.wrongPassword');
		expect(key({ status: 401, detail: "Login timestamp is too far from the server's clock" }, 'login')).toBe(
			'errors.clockSkew'
		);
		expect(key({ status: 401, detail: 'Invalid or expired token' })).toBe('common.sessionExpired');
	});

	it('names a login name refused for calling everyone in a chat, in every language', () => {
		// The server's detail for such a name (domain/names.py), read to choose, never shown.
		const refused = { status: 400, detail: 'name must not be a mention of everyone, such as @here or @everyone' };
		expect(key(refused, 'login')).toBe('errors.nameMention');
		expect(key(refused)).toBe('errors.invalid');
		expect(key({ status: 400, detail: 'name must contain a visible character' }, 'login')).toBe('errors.invalid');
		expect(text(problemFor(refused, 'login'), 'en')).toBe(
			'That name would notify everyone in a group chat, like @here or @everyone. Choose another name.'
		);
		for (const locale of LOCALES) {
			const shown = text(problemFor(refused, 'login'), locale);
			expect(shown, locale).toContain('@everyone');
			expect(shown, locale).not.toContain('mention of everyone');
		}
	});

	it('says how long to wait after too many attempts', () => {
		expect(problemFor({ status: 429, retryAfter: 42 }, 'login')).toEqual({
			key: 'errors.tooManySeconds',
			params: { count: 42 }
		});
		expect(problemFor({ status: 429, retryAfter: 600 }, 'login')).toEqual({
			key: 'errors.tooManyMinutes',
			params: { count: 10 }
		});
		expect(key({ status: 429, retryAfter: null }, 'login')).toBe('errors.tooManySoon');
	});

	it('reads a status in the light of what was being done', () => {
		expect(key({ status: 404, detail: 'TMDB has no movie with id 1' }, 'request')).toBe('errors.titleUnknown');
		expect(key({ status: 409, detail: 'Already requested' }, 'request')).toBe('errors.alreadyRequested');
		expect(key({ status: 404 }, 'title')).toBe('title.notFound');
		expect(key({ status: 422 }, 'title')).toBe('title.notFound');
		expect(key({ status: 422 })).toBe('errors.invalid');
		expect(key({ status: 403 }, 'remove')).toBe('requests.removeForbidden');
		expect(key({ status: 404 }, 'remove')).toBe('requests.removeGone');
		expect(key({ status: 403 })).toBe('errors.forbidden');
		expect(key({ status: 409 })).toBe('errors.conflict');
	});

	it('tells Stellarr being down from its own server-side failures', () => {
		expect(key({ status: 0 }, 'request')).toBe('errors.network');
		expect(key({ status: 503, detail: 'Storage is unavailable; try again shortly' }, 'request')).toBe(
			'errors.unavailable'
		);
		expect(key({ status: 503, detail: 'Search is not set up yet: ask the admin to add a TMDB key' })).toBe(
			'errors.searchNotSetUp'
		);
		expect(key({ status: 502, detail: 'TMDB answered 500' })).toBe('errors.upstream');
		expect(key({ status: 502, detail: null })).toBe('errors.down');
		expect(key({ status: 504 })).toBe('errors.down');
		expect(problemFor({ status: 500, detail: 'Internal server error' })).toEqual({
			key: 'errors.server',
			params: { status: '500' }
		});
		expect(problemFor({ status: 418 })).toEqual({ key: 'errors.http', params: { status: '418' } });
	});

	it('has every message in every language, with the wait localised', () => {
		const problem = problemFor({ status: 429, retryAfter: 1500 }, 'login');
		expect(text(problem, 'de')).toBe('Zu viele Versuche. Bitte in 25 Minuten erneut versuchen.');
		expect(text(problemFor({ status: 429, retryAfter: 1 }), 'fr')).toBe(
			'Trop de tentatives. Réessayez dans 1 seconde.'
		);
		for (const locale of LOCALES) {
			for (const name of Object.keys(catalogues.en.errors)) {
				const shown = text({ key: `errors.${name}` as Problem['key'], params: { status: '500', count: 2 } }, locale);
				expect(shown, `${locale} errors.${name}`).not.toMatch(/\{\w+\}/);
			}
		}
	});
});
