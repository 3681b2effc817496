// The shapes every message file shares. Kept free of runes so message files and unit tests
// import it without the Svelte compiler.

export const LOCALES = ['en', 'es', 'fr', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** A plain string, or plural forms chosen with Intl.PluralRules on `params.count`. */
export type Message = string | PluralMessage;
export interface PluralMessage {
	zero?: string;
	one?: string;
	two?: string;
	few?: string;
	many?: string;
	other: string;
}

type Dict = Record<string, Message>;
type Other = Exclude<Locale, 'en'>;

/**
 * Message files call this: English defines the keys, and TypeScript then demands exactly
 * those keys in es, fr and de (a missing key is an error, an extra one too, since each
 * object literal is checked against English's key set).
 */
export function defineMessages<const E extends Dict>(
	messages: { en: E } & { [L in Other]: { [K in keyof E]: Message } }
): { [L in Locale]: { [K in keyof E]: Message } } {
	return messages;
}
