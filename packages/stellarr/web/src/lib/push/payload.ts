// What the service worker makes of a push message. Pure (no DOM, no worker globals), so the
// worker and the unit tests share it. The server sends JSON {title, body, tag, image, icon,
// url}; anything missing, mistyped or pointing at another site falls back to the app's own.

export const DEFAULT_TITLE = 'Stellarr';
export const DEFAULT_ICON = '/icons/icon-192.png';
const APP = '/';

// The server's machine-facing paths (see the Python side's SERVER_PREFIXES): the worker
// never answers them from a cache, and the shell never names them as assets.
const SERVER_PREFIXES = ['api', 'list', 'rss', 'webhook', 'sync'];

export function isServerPath(pathname: string): boolean {
	const first = pathname.replace(/^\/+/, '').split('/', 1)[0] ?? '';
	return SERVER_PREFIXES.includes(first);
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() ? value : undefined;
}

/** `value` as an absolute URL on `origin`; the app's start page for anything else. */
export function sameOriginUrl(value: unknown, origin: string): string {
	const home = new URL(APP, origin).href;
	try {
		const url = new URL(text(value) ?? APP, origin);
		return url.origin === origin ? url.href : home;
	} catch {
		return home;
	}
}

/** An image URL the notification may load: http(s) only, so no data: or javascript:. */
function imageUrl(value: unknown, origin: string): string | undefined {
	const raw = text(value);
	if (!raw) return undefined;
	try {
		const url = new URL(raw, origin);
		return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
	} catch {
		return undefined;
	}
}

export interface ShownNotification {
	title: string;
	options: NotificationOptions & { image?: string };
}

export function notificationFrom(payload: unknown, origin: string): ShownNotification {
	const data: Record<string, unknown> =
		payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
	const options: ShownNotification['options'] = {
		body: text(data.body) ?? '',
		icon: imageUrl(data.icon, origin) ?? new URL(DEFAULT_ICON, origin).href,
		data: { url: sameOriginUrl(data.url, origin) }
	};
	// The same tag replaces an earlier notification about the same title.
	const tag = text(data.tag);
	if (tag) options.tag = tag;
	const image = imageUrl(data.image, origin);
	if (image) options.image = image;
	return { title: text(data.title) ?? DEFAULT_TITLE, options };
}
