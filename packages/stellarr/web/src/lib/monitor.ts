// A request's season choice (the server's Monitor): the names, and what a stored choice is
// published as given the choices the admin offers now. Pure, so the unit tests cover it.

export type Monitor = 'all' | 'first' | 'latest' | 'future';

const MONITORS: readonly Monitor[] = ['all', 'first', 'latest', 'future'];

export function isMonitor(value: unknown): value is Monitor {
	return MONITORS.includes(value as Monitor);
}

/** The message key naming a choice ("Latest season"). */
export function monitorKey(monitor: Monitor): `seasons.${Monitor}` {
	return `seasons.${monitor}`;
}

/**
 * What a stored choice is published as, or null when there is nothing to say (the choice
 * is off): a choice whose Sonarr list the admin dropped goes out whole, on /list/sonarr.
 */
export function publishedAs(stored: unknown, choices: readonly Monitor[]): Monitor | null {
	if (choices.length === 0) return null;
	return isMonitor(stored) && choices.includes(stored) ? stored : 'all';
}
