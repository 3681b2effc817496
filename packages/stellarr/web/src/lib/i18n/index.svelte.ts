// Stellarr's own small i18n layer: four languages, typed keys, Intl for dates and numbers.
// The locale is rune state, so every t(...) in a template re-renders on a switch. English
// comes with the app's code; another language is fetched when chosen (a few KB each, which
// every first load would otherwise carry three times over), and the switch happens once it
// is here, so a page never shows a mix.
import en, { type English } from './messages/en';
import { formatDateIn, formatNumberIn, isLocale, pickLocale, render, type Params } from './format';
import { DEFAULT_LOCALE, LOCALES, type Catalog, type Locale, type Message } from './types';

export { LOCALES, type Locale, type Params };

/** Every key as 'area.key', e.g. 'common.navDiscover'. */
export type MessageKey = {
	[A in keyof English & string]: `${A}.${keyof English[A] & string}`;
}[keyof English & string];

type Catalogue = Catalog<English>;
const catalogues: Partial<Record<Locale, Catalogue>> = { en };
const loaders: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Catalogue }>> = {
	es: () => import('./messages/es'),
	fr: () => import('./messages/fr'),
	de: () => import('./messages/de')
};

async function loadCatalogue(value: Locale): Promise<void> {
	if (value === 'en' || catalogues[value]) return;
	catalogues[value] = (await loaders[value]()).default;
}

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

/**
 * The first language's messages, awaited by the root layout before anything renders. One
 * that cannot be fetched leaves the page in English (what t() falls back to).
 */
export const localeReady: Promise<void> = loadCatalogue(state.current).catch(() => {
	state.current = DEFAULT_LOCALE;
	applyToDocument(DEFAULT_LOCALE);
});

/**
 * Switch language once its messages are here: persisted in localStorage and mirrored in
 * <html lang>. False when they could not be fetched; the language then stays as it was.
 */
export async function setLocale(value: Locale): Promise<boolean> {
	if (!isLocale(value)) return false;
	try {
		await loadCatalogue(value);
	} catch {
		return false;
	}
	state.current = value;
	applyToDocument(value);
	try {
		globalThis.localStorage?.setItem(STORAGE_KEY, value);
	} catch {
		// Not persisted, but the switch still holds for this visit.
	}
	return true;
}

function lookup(lang: Locale, key: MessageKey): Message | undefined {
	const dot = key.indexOf('.');
	const area = catalogues[lang]?.[key.slice(0, dot) as keyof English] as Record<string, Message> | undefined;
	return area?.[key.slice(dot + 1)];
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
