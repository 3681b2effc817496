// Which seasons of a show a request may ask for (GET /api/request/options): the same for
// everyone, so loaded once a page load and shared; empty while the admin publishes shows
// whole, which keeps the Request button a single click.
import { api } from '$lib/api/client';

export type Monitor = 'all' | 'first' | 'latest' | 'future';

const MONITORS: readonly Monitor[] = ['all', 'first', 'latest', 'future'];

export function isMonitor(value: unknown): value is Monitor {
	return MONITORS.includes(value as Monitor);
}

/** The message key naming a choice ("Latest season"). */
export function monitorKey(monitor: Monitor): `seasons.${Monitor}` {
	return `seasons.${monitor}`;
}

const state = $state<{ choices: readonly Monitor[] }>({ choices: [] });
let loading: Promise<void> | null = null;

export const seasons = {
	/** Reactive: the choices offered, "all" first; none when the choice is off. */
	get choices(): readonly Monitor[] {
		return state.choices;
	},
	/** Loads them once; a failure is forgotten so the next caller asks again. */
	load(): Promise<void> {
		loading ??= api
			.get('/api/request/options')
			.then((body) => {
				const offered = (body as { season_choices?: unknown }).season_choices;
				state.choices = Array.isArray(offered) ? offered.filter(isMonitor) : [];
			})
			.catch(() => {
				loading = null; // whole-show requests still work meanwhile
			});
		return loading;
	}
};
