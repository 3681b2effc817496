// Stellarr's own small i18n layer: four languages, typed keys, Intl for dates and numbers.
// The locale is rune state, so every t(...) in a template re-renders on a switch.
import { areas } from './messages';
import { formatDateIn, formatNumberIn, isLocale, pickLocale, render, type Params } from './format';
import { DEFAULT_LOCALE, LOCALES, type Locale, type Message } from './types';

export { LOCALES, type Locale, type Params };

type Areas = typeof areas;
/** Every key as 'area.key', e.g. 'common.navDiscover'. */
export type MessageKey = {
	[A in keyof Areas & string]: `${A}.${keyof Areas[A]['en'] & string}`;
}[keyof Areas & string];

/** Each language's own name, shown in the switcher whatever the current language. */
export const LOCALE_NAMES: Record<Locale, string> = {
	en: 'English',
	es: 'Español',
	fr: 'Français',
	de: 'Deutsch'
};

const STORAGE_KEY = 'stellarr.locale';

function initialLocale(): Locale {
	try {
		const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
		if (isLocale(saved)) return saved;
	} catch {
		// Storage may be blocked (private mode); the browser's languages still decide.
	}
	const nav = globalThis.navigator;
	return pickLocale(nav ? (nav.languages?.length ? nav.languages : [nav.language]) : []);
}

const state = $state<{ current: Locale }>({ current: initialLocale() });

function applyToDocument(value: Locale): void {
	if (typeof document !== 'undefined') document.documentElement.lang = value;
}
applyToDocument(state.current);

/** The current language; read `locale.current` (reactive). Change it with setLocale. */
export const locale = {
	get current(): Locale {
		return state.current;
	}
};

/** Switch language: persisted in localStorage and mirrored in <html lang>. */
export function setLocale(value: Locale): void {
	if (!isLocale(value)) return;
	state.current = value;
	applyToDocument(value);
	try {
		globalThis.localStorage?.setItem(STORAGE_KEY, value);
	} catch {
		// Not persisted, but the switch still holds for this visit.
	}
}

function lookup(lang: Locale, key: MessageKey): Message | undefined {
	const dot = key.indexOf('.');
	const area = areas[key.slice(0, dot) as keyof Areas] as Record<Locale, Record<string, Message>>;
	return area?.[lang]?.[key.slice(dot + 1)];
}

/**
 * The message for `key` in the current language, with `{name}` placeholders filled from
 * params (numbers localised). Plural messages pick their form from params.count.
 */
export function t(key: MessageKey, params?: Params): string {
	const lang = state.current;
	const message = lookup(lang, key) ?? lookup(DEFAULT_LOCALE, key);
	return message === undefined ? key : render(lang, message, params);
}

/** A date in the current language; `value` may be an ISO string, epoch ms or a Date. */
export function formatDate(value: string | number | Date, options?: Intl.DateTimeFormatOptions): string {
	return formatDateIn(state.current, value, options);
}

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
	return formatNumberIn(state.current, value, options);
}
