// The app's API client: the session's bearer token on every call, and any 401 on an
// authenticated call ends the session and sends the user to /login, keeping where they were
// so that they land there again once logged in.
import { goto } from '$app/navigation';
import { describeFailure } from './explain';
import { createClient, loginUrl } from './http';
import { reach } from './reach.svelte';
import { getToken, setSession } from './session.svelte';

export { ApiError, safeNext, loginUrl } from './http';
export { explain } from './explain';
export type { components, paths } from './schema';

export function logout(): void {
	setSession(null);
	const here = `${location.pathname}${location.search}${location.hash}`;
	if (location.pathname !== '/login') void goto(loginUrl(here), { replaceState: true });
}

export const api = createClient({
	getToken,
	onUnauthorized: logout,
	messages: {
		network: () => describeFailure({ status: 0 }),
		http: (failure) => describeFailure(failure)
	},
	onReach: (reached) => (reached ? reach.answered() : reach.lost())
});

/** A schema type by name, e.g. Schema<'MediaRequestOut'>. */
export type Schema<N extends keyof import('./schema').components['schemas']> =
	import('./schema').components['schemas'][N];
