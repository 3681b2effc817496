// Whether Stellarr itself answers, apart from whether the browser is online: a server that
// is down, or a Wi-Fi that lets the browser online but not through to it, looks the same to
// navigator.onLine. The API client reports each call's fate; the service worker reports a
// page it had to open from its cache (OfflineNotice asks it).

const state = $state<{ unreachable: boolean }>({ unreachable: false });

export const reach = {
	/** Reactive: true since a call found no Stellarr, until one gets an answer again. */
	get unreachable(): boolean {
		return state.unreachable;
	},
	lost(): void {
		state.unreachable = true;
	},
	answered(): void {
		state.unreachable = false;
	}
};
