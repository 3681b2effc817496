// The logged-in user, kept in localStorage under the same key and shape as the old UI, so
// an upgrade does not log anyone out. Rune state: the header and guards react to changes.

export interface Session {
	token: string;
	name: string;
	role: string;
}

const STORAGE_KEY = 'stellarr.session';

function load(): Session | null {
	try {
		const saved: unknown = JSON.parse(globalThis.localStorage?.getItem(STORAGE_KEY) ?? 'null');
		if (saved && typeof saved === 'object' && typeof (saved as Session).token === 'string') {
			const { token, name, role } = saved as Session;
			return { token, name: String(name ?? ''), role: String(role ?? '') };
		}
	} catch {
		// A corrupt entry just means logging in again.
	}
	return null;
}

const state = $state<{ current: Session | null }>({ current: load() });

/** `session.current` is the user, or null when logged out (reactive). */
export const session = {
	get current(): Session | null {
		return state.current;
	},
	get isAdmin(): boolean {
		return state.current?.role === 'admin';
	}
};

export function setSession(value: Session | null): void {
	state.current = value;
	try {
		if (value) globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(value));
		else globalThis.localStorage?.removeItem(STORAGE_KEY);
	} catch {
		// Storage blocked: the session lasts for this page only.
	}
}

export function getToken(): string | null {
	return state.current?.token ?? null;
}
