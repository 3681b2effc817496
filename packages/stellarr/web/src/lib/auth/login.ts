// Logging in: fetch the server's iteration count, derive the key for this page's origin,
// and present a one-time hash of it for the current second.
import { api, ApiError } from '$lib/api/client';
import type { Session } from '$lib/api/session.svelte';
import { challengeHash, deriveKey } from './challenge';

const nextSecond = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));

/** The session for `name`, or the ApiError of the refusal (wrong password, 429). */
export async function logIn(name: string, password: string): Promise<Session> {
	const params = await api.get('/api/auth/params', { auth: false });
	const iterations = Number(params.iterations);
	const origin = location.origin;
	const derived = await deriveKey(password, origin, iterations);
	for (let attempt = 0; ; attempt++) {
		const timestamp = Math.floor(Date.now() / 1000);
		const hash = await challengeHash(derived, timestamp);
		try {
			const answer = await api.post('/api/auth/verify', {
				auth: false,
				body: { origin, timestamp, hash, name }
			});
			return { token: String(answer.token), name: String(answer.name), role: String(answer.role) };
		} catch (error) {
			// Each (timestamp, hash) works once: two people sharing the password who log in
			// within the same second collide, so the second one tries again a second later.
			// The server's detail tells this 401 from a wrong password.
			const reused = error instanceof ApiError && error.status === 401 && /already used/i.test(error.detail ?? '');
			if (attempt > 0 || !reused) throw error;
			await nextSecond();
		}
	}
}
