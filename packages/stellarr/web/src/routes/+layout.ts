import { localeReady } from '$lib/i18n/index.svelte';

// A client-only SPA: the Python server answers every non-API path with index.html, so
// nothing is rendered or prerendered at build time.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

// The first language's messages before the first render: English comes with the code, any
// other is fetched, and no page should flash English first.
export async function load(): Promise<void> {
	await localeReady;
}
