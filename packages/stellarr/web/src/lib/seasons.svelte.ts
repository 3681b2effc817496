// Which seasons of a show a request may ask for (GET /api/request/options): the same for
// everyone, so loaded once a page load and shared; empty while the admin publishes shows
// whole, which keeps the Request button a single click.
import { api } from '$lib/api/client';
import { isMonitor, publishedAs, type Monitor } from './monitor';

export { isMonitor, monitorKey, type Monitor } from './monitor';

const state = $state<{ choices: readonly Monitor[] }>({ choices: [] });
let loading: Promise<void> | null = null;

export const seasons = {
	/** Reactive: the choices offered, "all" first; none when the choice is off. */
	get choices(): readonly Monitor[] {
		return state.choices;
	},
	/**
	 * What a stored request is published as, or null when there is nothing to say (the
	 * choice is off): a choice whose Sonarr list the admin dropped goes out whole.
	 */
	shown(stored: unknown): Monitor | null {
		return publishedAs(stored, state.choices);
	},
	/** Loads them once and shares the answer; a failure rejects, and the next call asks again. */
	load(): Promise<void> {
		loading ??= api.get('/api/request/options').then(
			(body) => {
				const offered = (body as { season_choices?: unknown }).season_choices;
				state.choices = Array.isArray(offered) ? offered.filter(isMonitor) : [];
			},
			(error: unknown) => {
				loading = null;
				throw error;
			}
		);
		return loading;
	}
};
