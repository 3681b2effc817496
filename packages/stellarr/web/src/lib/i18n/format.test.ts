import { describe, expect, it } from 'vitest';
import { formatDateIn, formatNumberIn, pickLocale, render, runtimeMessage } from './format';
import { defineEnglish, type Catalog } from './types';
import { catalogues } from './messages/all';

describe('pickLocale', () => {
	it('takes the first language Stellarr speaks, by base tag', () => {
		expect(pickLocale(['pt-BR', 'fr-CA', 'de'])).toBe('fr');
		expect(pickLocale(['DE-at'])).toBe('de');
	});
	it('falls back to English', () => {
		expect(pickLocale(['ja', 'pt'])).toBe('en');
		expect(pickLocale(undefined)).toBe('en');
	});
});

describe('render', () => {
	it('fills placeholders and localises numbers', () => {
		expect(render('de', 'Seite {page} von {total}', { page: 2, total: 12345 })).toBe('Seite 2 von 12.345');
	});
	it('keeps an unknown placeholder visible', () => {
		expect(render('en', 'Hello {name}')).toBe('Hello {name}');
		expect(render('en', 'Hello {name}', {})).toBe('Hello {name}');
	});
	it('chooses plural forms from count', () => {
		const msg = { zero: 'none', one: '{count} item', other: '{count} items' };
		expect(render('en', msg, { count: 0 })).toBe('none');
		expect(render('en', msg, { count: 1 })).toBe('1 item');
		expect(render('fr', { one: '{count} élément', other: '{count} éléments' }, { count: 1.5 })).toBe(
			'1,5 élément'
		);
	});
});

describe('formatting', () => {
	it('formats dates and numbers per locale', () => {
		const date = Date.UTC(2024, 0, 15, 12);
		expect(formatDateIn('en', date, { dateStyle: 'long', timeZone: 'UTC' })).toBe('January 15, 2024');
		expect(formatDateIn('de', new Date(date), { dateStyle: 'long', timeZone: 'UTC' })).toBe('15. Januar 2024');
		expect(formatNumberIn('fr', 1234.5)).toMatch(/^1\s234,5$/u);
	});
	it('shows an unparsable date as given', () => {
		expect(formatDateIn('en', 'not a date')).toBe('not a date');
		// A date-only value is that calendar day wherever the viewer is (the runner's zone
		// is set to one west of UTC in vitest.config.ts).
		expect(formatDateIn('en', '2024-01-01', { year: 'numeric' })).toBe('2024');
		expect(formatDateIn('en', '2024-01-01', { dateStyle: 'long' })).toBe('January 1, 2024');
	});
});

describe('message files', () => {
	it('give every language the same areas and keys as English', () => {
		for (const [name, area] of Object.entries(catalogues.en)) {
			const keys = Object.keys(area).sort();
			for (const lang of ['es', 'fr', 'de'] as const) {
				const other = catalogues[lang][name as keyof typeof catalogues.en];
				expect(Object.keys(other).sort(), `${lang}.${name}`).toEqual(keys);
			}
		}
		expect(Object.keys(catalogues.de).sort()).toEqual(Object.keys(catalogues.en).sort());
	});
	it('are checked by the compiler for missing and extra keys', () => {
		const english = defineEnglish({ area: { a: 'A', b: 'B' } });
		// @ts-expect-error b is missing
		void ({ area: { a: 'A' } } satisfies Catalog<typeof english>);
		// @ts-expect-error c is not one of English's keys
		void ({ area: { a: 'A', b: 'B', c: 'C' } } satisfies Catalog<typeof english>);
		// @ts-expect-error a whole area is missing
		void ({} satisfies Catalog<typeof english>);
		void ({ area: { a: 'A', b: { one: 'B', other: 'Bs' } } } satisfies Catalog<typeof english>);
	});
});

describe('runtimeMessage', () => {
	it('says whole hours alone, never "0 min"', () => {
		expect(runtimeMessage(120)).toEqual({ key: 'title.runtimeWholeHours', params: { hours: 2 } });
		expect(render('en', catalogues.en.title.runtimeWholeHours, runtimeMessage(120).params)).toBe('2 h');
		expect(render('de', catalogues.de.title.runtimeWholeHours, { hours: 1 })).toBe('1 Std.');
	});
	it('gives hours and minutes, or minutes under an hour', () => {
		expect(runtimeMessage(125)).toEqual({ key: 'title.runtimeHours', params: { hours: 2, minutes: 5 } });
		expect(runtimeMessage(59)).toEqual({ key: 'title.runtimeMinutes', params: { minutes: 59 } });
	});
});
