// Pages that need a user call this first: with no session it sends the browser to /login,
// keeping the current address so that logging in lands back here (a deep link survives).
import { goto } from '$app/navigation';
import { loginUrl } from '$lib/api/client';
import { session } from '$lib/api/session.svelte';

/** True when someone is logged in; otherwise starts the redirect and returns false. */
export function requireSession(): boolean {
	if (session.current) return true;
	const here = `${location.pathname}${location.search}${location.hash}`;
	void goto(loginUrl(here), { replaceState: true });
	return false;
}
