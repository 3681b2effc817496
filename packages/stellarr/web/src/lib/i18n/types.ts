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

/**
 * English's catalogue (messages/en.ts): areas of messages, used as t('area.key'). `const`
 * keeps its keys as literal types, from which MessageKey and the other languages' type come.
 */
export function defineEnglish<const E extends Record<string, Dict>>(catalogue: E): E {
	return catalogue;
}

/**
 * Another language's catalogue, written `{...} satisfies Catalog<English>`: exactly English's
 * areas and keys (a missing key is an error, an extra one too), any message.
 */
export type Catalog<E> = { [A in keyof E]: { [K in keyof E[A]]: Message } };
