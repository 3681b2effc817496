/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Stellarr's service worker: shows push notifications, opens the app on a click, and keeps
// the app shell so that the app opens offline or with Stellarr down (the page then says so).
// API calls, feeds and webhooks are never touched: they always go to the network.
import { build, files, version } from '$service-worker';
import { stellarrDown } from './lib/api/gateway';
import { isServerPath, notificationFrom, sameOriginUrl } from './lib/push/payload';
import { isShellSourceQuestion, type ShellSource } from './lib/shell';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = `stellarr-shell-${version}`;
const SHELL = '/index.html';
const APP = '/';
// Built (content-hashed) files and static ones: never change under the same name while
// this worker's version lives.
const PRECACHED = new Set<string>([...build, ...files]);

// Same-origin assets the shell names (the boot script a post-build step moved out of
// index.html is hashed but absent from `build`, which Vite listed before that step ran).
function assetsNamedIn(html: string): string[] {
	const found = new Set<string>();
	for (const match of html.matchAll(/\s(?:src|href)="(\/[^"/][^"]*)"/g)) {
		const path = match[1];
		if (path && !isServerPath(path)) found.add(path);
	}
	return [...found];
}

// Never fails the install: push notifications need this worker even when a file cannot be
// kept (a deploy replacing files mid-install); the next worker tries again.
async function precache(): Promise<void> {
	const cache = await caches.open(CACHE);
	let named: string[] = [];
	try {
		// `reload`: the HTTP cache may hold an index.html from before this deploy.
		const shell = await fetch(new Request(SHELL, { cache: 'reload' }));
		if (shell.ok) {
			named = assetsNamedIn(await shell.clone().text());
			await cache.put(SHELL, shell);
		}
	} catch {
		// Offline while installing: the shell is kept by a later worker.
	}
	const wanted = [...new Set([...PRECACHED, ...named])];
	await Promise.allSettled(wanted.map((path) => cache.add(path)));
}

sw.addEventListener('install', (event) => {
	// A storage error (quota, private mode) costs the offline shell, never the worker.
	event.waitUntil(
		precache()
			.catch(() => undefined)
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			// An older deploy's shell and files are of no use once this one is active.
			for (const name of await caches.keys()) {
				if (name !== CACHE && name.startsWith('stellarr-shell-')) await caches.delete(name);
			}
			await sw.clients.claim();
		})()
	);
});

// Pages this worker opened from its cache, by client id, until each asks (OfflineNotice).
// Only a few: a page asks as it starts, and a worker that was stopped meanwhile forgets,
// which costs only the notice until the page's first API call fails.
const fromCache = new Set<string>();
const FROM_CACHE_KEPT = 20;

async function navigation(event: FetchEvent): Promise<Response> {
	let failure: unknown;
	try {
		// The network first, so that a deploy is seen at once when online.
		const response = await fetch(event.request);
		// No `detail` to read: Stellarr answers a navigation with the app's page, so a gateway
		// status here is a proxy's for a Stellarr that is down; the kept shell does better.
		if (!stellarrDown(response.status)) return response;
		failure = response;
	} catch (error) {
		failure = error;
	}
	const cached = await caches.match(SHELL, { cacheName: CACHE });
	if (!cached) {
		if (failure instanceof Response) return failure;
		throw failure;
	}
	if (event.resultingClientId) {
		fromCache.add(event.resultingClientId);
		for (const old of fromCache) {
			if (fromCache.size <= FROM_CACHE_KEPT) break;
			fromCache.delete(old);
		}
	}
	return cached;
}

async function asset(request: Request, path: string): Promise<Response> {
	const cache = await caches.open(CACHE);
	const cached = await cache.match(request, { ignoreSearch: true });
	if (cached) return cached;
	const response = await fetch(request);
	// Hashed names never change content: keep any the install step did not know of.
	if (response.ok && path.startsWith('/_app/immutable/')) await cache.put(request, response.clone());
	return response;
}

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin || isServerPath(url.pathname)) return;
	if (request.mode === 'navigate') {
		event.respondWith(navigation(event));
	} else if (PRECACHED.has(url.pathname) || url.pathname.startsWith('/_app/immutable/')) {
		event.respondWith(asset(request, url.pathname));
	}
	// Anything else (the trending JSON files, posters) goes to the network untouched.
});

sw.addEventListener('message', (event) => {
	if (!isShellSourceQuestion(event.data)) return;
	const source = event.source as Client | null;
	const id = source?.id ?? '';
	const answer: ShellSource = { fromCache: fromCache.delete(id) };
	event.ports[0]?.postMessage(answer);
});

function readPayload(data: PushMessageData | null): unknown {
	if (!data) return {};
	try {
		return data.json();
	} catch {
		return { body: data.text() }; // a plain-text push is still worth showing
	}
}

sw.addEventListener('push', (event) => {
	const { title, options } = notificationFrom(readPayload(event.data), sw.location.origin);
	event.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener('notificationclick', (event) => {
	event.notification.close();
	const home = sameOriginUrl(APP, sw.location.origin);
	const data: unknown = event.notification.data;
	const url = data && typeof data === 'object' && 'url' in data ? data.url : undefined;
	const target = sameOriginUrl(url, sw.location.origin);
	event.waitUntil(
		(async () => {
			const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
			const open = windows.find((client) => new URL(client.url).origin === sw.location.origin);
			if (!open) return sw.clients.openWindow(target);
			// Focus first: a click grants it only briefly. Then go where the message points,
			// unless the window is already there or this worker does not control it yet.
			const focused = await open.focus();
			if (focused.url !== target && target !== home) {
				await focused.navigate(target).catch(() => undefined);
			}
			return focused;
		})()
	);
});
