// The header bell's logic: subscribes this browser to Web Push so that the person who asked
// is told when a request lands in the library; the service worker shows the messages.
// Rune state, so the bell re-renders; the texts are message keys, so a language switch
// re-renders them too.
import { api, ApiError } from '$lib/api/client';
import { getToken } from '$lib/api/session.svelte';
import type { MessageKey, Params } from '$lib/i18n/index.svelte';
import { keyBytes, sameBytes, unsupportedReason, WORKER } from './support';

export type BellState = 'unknown' | 'unavailable' | 'off' | 'on' | 'busy';

/** A failure the bell explains in the user's language: t(key, params). */
export class PushProblem extends Error {
	constructor(
		readonly key: MessageKey,
		readonly params?: Params
	) {
		super(key);
	}
}

const state = $state<{ current: BellState; reason: PushProblem | null }>({ current: 'unknown', reason: null });

export const bell = {
	get state(): BellState {
		return state.current;
	},
	/** Why the bell cannot work here (state 'unavailable'), else null. */
	get reason(): PushProblem | null {
		return state.reason;
	}
};

function set(next: BellState, reason: PushProblem | null = null): void {
	state.current = next;
	state.reason = next === 'unavailable' ? reason : null;
}

const notSetUp = () => new PushProblem('push.notSetUp');

// How long the browser's push service may take to hand out a subscription. It answers in
// a second or two; when it cannot be reached, Chromium waits on without end, and the bell
// would spin with no word.
export const SUBSCRIBE_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new PushProblem('push.timedOut')), ms);
	});
	return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function currentSubscription(): Promise<PushSubscription | null> {
	const found = await navigator.serviceWorker.getRegistration('/');
	return found ? found.pushManager.getSubscription() : null;
}

/** Reads the state back from the browser and the server (on login, on reload). */
export async function refreshBell(): Promise<void> {
	const why = unsupportedReason();
	if (why) return set('unavailable', new PushProblem(why));
	try {
		const subscription = await currentSubscription();
		const query = subscription ? { endpoint: subscription.endpoint } : {};
		const status = await api.get('/api/push/status', { query });
		if (!status.configured) return set('unavailable', notSetUp());
		set(subscription && status.subscribed ? 'on' : 'off');
	} catch (error) {
		// Quietly: this runs on every login and search works without the bell. A click on
		// the greyed bell tells why.
		if (error instanceof ApiError && error.status === 503) return set('unavailable', notSetUp());
		set('unavailable', new PushProblem('push.checkFailed', { detail: error instanceof Error ? error.message : '' }));
	}
}

function subscriptionBody(subscription: PushSubscription) {
	const json = subscription.toJSON();
	return { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' } };
}

async function subscribe(): Promise<boolean> {
	const permission = await Notification.requestPermission();
	if (permission === 'denied') throw new PushProblem('push.blocked');
	if (permission !== 'granted') throw new PushProblem('push.notAllowed');
	let key: Uint8Array<ArrayBuffer>;
	try {
		const answer = await api.get('/api/push/vapid-public-key');
		key = keyBytes(answer.public_key ?? '');
	} catch (error) {
		if (error instanceof ApiError && error.status === 503) {
			set('unavailable', notSetUp());
			return false;
		}
		throw error;
	}
	// SvelteKit registers the worker on page load; this covers a click before that.
	if (!(await navigator.serviceWorker.getRegistration('/'))) {
		await navigator.serviceWorker.register(WORKER, { scope: '/' });
	}
	// A worker that failed to install leaves `ready` waiting for ever: the same limit.
	const { pushManager } = await withTimeout(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS);
	const options = { userVisibleOnly: true, applicationServerKey: key };
	let subscription = await pushManager.getSubscription();
	// A subscription made for an older server key cannot be reused: push services refuse a
	// second key for the same subscription.
	if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
		await subscription.unsubscribe();
		subscription = null;
	}
	subscription ??= await withTimeout(pushManager.subscribe(options), SUBSCRIBE_TIMEOUT_MS);
	try {
		await api.post('/api/push/subscribe', { body: subscriptionBody(subscription) });
	} catch (error) {
		if (!(error instanceof ApiError) || error.status !== 409) throw error;
		// Someone else signed in on this browser earlier and still owns its endpoint: a fresh
		// subscription gets a new endpoint of its own.
		await subscription.unsubscribe();
		subscription = await withTimeout(pushManager.subscribe(options), SUBSCRIBE_TIMEOUT_MS);
		await api.post('/api/push/subscribe', { body: subscriptionBody(subscription) });
	}
	return true;
}

/**
 * The browser stops first: even if the server cannot be told now, nothing arrives here, and
 * the push service's "gone" answer makes the server forget the endpoint later. `token`: a
 * session's token to use instead of the current one (the one that just logged out).
 */
async function unsubscribe(token?: string): Promise<void> {
	const subscription = await currentSubscription();
	if (!subscription) return;
	const { endpoint } = subscription;
	await subscription.unsubscribe();
	const auth = token ? { auth: false, headers: { Authorization: `Bearer ${token}` } } : {};
	try {
		await api.delete('/api/push/subscribe', { body: { endpoint }, ...auth });
	} catch (error) {
		if (!(error instanceof ApiError) || error.status !== 404) throw error; // already gone is fine
	}
}

export type ToggleResult = { ok: true; key: MessageKey } | { ok: false; problem: PushProblem };

function problemOf(error: unknown): PushProblem {
	if (error instanceof PushProblem) return error;
	// The browser's own texts ("Registration failed - permission denied") are English and
	// name its internals: the kind of failure picks a message in the user's language.
	if (error instanceof DOMException) {
		if (error.name === 'NotAllowedError') return new PushProblem('push.refused');
		if (error.name === 'AbortError' || error.name === 'NetworkError') return new PushProblem('push.serviceUnreachable');
		return new PushProblem('push.changeFailed');
	}
	// An ApiError's message is already the app's own, in the user's language.
	if (error instanceof ApiError && error.message) return new PushProblem('push.changeFailedBecause', { detail: error.message });
	return new PushProblem('push.changeFailed');
}

/** The bell's click. Null: nothing to tell (busy, or not ready yet). */
export async function toggleBell(): Promise<ToggleResult | null> {
	if (state.current === 'unavailable') {
		await refreshBell(); // the server may have been set up, or reachable again, since
		const reason = state.reason;
		return state.current === 'unavailable' && reason ? { ok: false, problem: reason } : null;
	}
	if (state.current === 'busy' || state.current === 'unknown') return null;
	const turningOn = state.current === 'off';
	set('busy');
	try {
		if (turningOn) {
			if (!(await subscribe())) return state.reason ? { ok: false, problem: state.reason } : null;
			set('on');
			return { ok: true, key: 'push.turnedOn' };
		}
		await unsubscribe();
		set('off');
		return { ok: true, key: 'push.turnedOff' };
	} catch (error) {
		await refreshBell();
		return { ok: false, problem: problemOf(error) };
	}
}

/**
 * Logging out of a shared browser must not leave it receiving someone's notifications: the
 * header's Log out calls this, with the token the session ended with (the session is gone
 * by then; a 401 on it is no logout of anyone, the call being unauthenticated as far as the
 * client goes). A session that merely ran out (a 401: expired token, rotated password) keeps
 * the subscription: logging in again finds the bell on, and nothing is missed meanwhile.
 */
export async function forgetBrowser(endedToken: string): Promise<void> {
	set('unknown');
	if (unsupportedReason()) return;
	try {
		await unsubscribe(endedToken);
	} catch {
		// Best effort: the token may be dead already; the push service's "gone" answer makes
		// the server drop the endpoint at the next message.
	}
	if (getToken()) await refreshBell(); // someone logged in meanwhile: their bell, read again
}

// Watches the session from outside any component, so a login or a lapse is seen even when
// the header (and the bell in it) is not on screen.
let lastToken: string | null = null;
$effect.root(() => {
	$effect(() => {
		const token = getToken();
		const ended = lastToken;
		lastToken = token;
		if (ended && token !== ended) set('unknown');
		if (token) void refreshBell();
	});
});
