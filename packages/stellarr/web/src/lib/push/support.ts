// What the bell needs to know about this browser, and the VAPID key's bytes.
import type { MessageKey } from '$lib/i18n/index.svelte';

/** SvelteKit builds src/service-worker.ts to this path and registers it with scope '/'. */
export const WORKER = '/service-worker.js';

// iPadOS says it is a Mac; only its touch screen tells them apart.
function isIOS(): boolean {
	return /iPad|iPhone|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
}

function standalone(): boolean {
	const nav = navigator as Navigator & { standalone?: boolean };
	return nav.standalone === true || window.matchMedia?.('(display-mode: standalone)').matches === true;
}

/**
 * Why push cannot work here, or null. Safari on iOS offers push only to apps added to the
 * Home Screen; plain http on a LAN address has no service workers at all (they need a
 * secure context).
 */
export function unsupportedReason(): MessageKey | null {
	if (isIOS() && !standalone()) return 'push.iosHint';
	if (!window.isSecureContext) return 'push.insecure';
	if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
		return 'push.unsupported';
	}
	return null;
}

/** A base64url text (the server's VAPID public key) as bytes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
	const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
	const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function sameBytes(buffer: ArrayBuffer | null, bytes: Uint8Array): boolean {
	if (!buffer) return false;
	const other = new Uint8Array(buffer);
	return other.length === bytes.length && other.every((b, i) => b === bytes[i]);
}
