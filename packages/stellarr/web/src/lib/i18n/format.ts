// Pure helpers behind t(), formatDate and formatNumber: no runes, so vitest runs them as is.
import { LOCALES, DEFAULT_LOCALE, type Locale, type Message } from './types';

export type Params = Record<string, string | number>;

/** The first of the browser's languages Stellarr speaks ("fr-CA" → "fr"), else English. */
export function pickLocale(wanted: readonly string[] | undefined | null): Locale {
	for (const tag of wanted ?? []) {
		const base = tag.toLowerCase().split('-')[0];
		const found = LOCALES.find((l) => l === base);
		if (found) return found;
	}
	return DEFAULT_LOCALE;
}

export function isLocale(value: unknown): value is Locale {
	return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

function pluralForm(locale: Locale, count: number): Intl.LDMLPluralRule {
	let rules = pluralRules.get(locale);
	if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
	return rules.select(count);
}

/**
 * Fills `{name}` placeholders. Numbers are formatted for the locale; an unknown placeholder
 * stays visible as `{name}` so a missing parameter shows in review rather than vanishing.
 */
export function render(locale: Locale, message: Message, params?: Params): string {
	let text: string;
	if (typeof message === 'string') text = message;
	else {
		const count = Number(params?.count ?? 0);
		const form = count === 0 && message.zero !== undefined ? 'zero' : pluralForm(locale, count);
		text = message[form] ?? message.other;
	}
	if (!params) return text;
	return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
		const value = params[name];
		if (value === undefined) return whole;
		return typeof value === 'number' ? formatNumberIn(locale, value) : value;
	});
}

const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumberIn(locale: Locale, value: number, options?: Intl.NumberFormatOptions): string {
	const key = `${locale}|${JSON.stringify(options ?? {})}`;
	let format = numberFormats.get(key);
	if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale, options)));
	return format.format(value);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDateIn(
	locale: Locale,
	value: string | number | Date,
	options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }
): string {
	const date = value instanceof Date ? value : new Date(value);
	if (Number.isNaN(date.getTime())) return String(value);
	// A date without a time ("2024-01-01", TMDB's air dates) parses as UTC midnight: shown in
	// the viewer's zone it would be the day before west of UTC (and a season's year, too).
	const dateOnly = typeof value === 'string' && DATE_ONLY.test(value);
	const zoned = dateOnly && !options.timeZone ? { ...options, timeZone: 'UTC' } : options;
	const key = `${locale}|${JSON.stringify(zoned)}`;
	let format = dateFormats.get(key);
	if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, zoned)));
	return format.format(date);
}

/** A running time's message: whole hours alone ("2 h", never "2 h 0 min"), hours and
 * minutes, or minutes under an hour. */
export function runtimeMessage(minutes: number): {
	key: 'title.runtimeWholeHours' | 'title.runtimeHours' | 'title.runtimeMinutes';
	params: { hours?: number; minutes?: number };
} {
	const hours = Math.floor(minutes / 60);
	const rest = minutes % 60;
	if (!hours) return { key: 'title.runtimeMinutes', params: { minutes } };
	if (!rest) return { key: 'title.runtimeWholeHours', params: { hours } };
	return { key: 'title.runtimeHours', params: { hours, minutes: rest } };
}
