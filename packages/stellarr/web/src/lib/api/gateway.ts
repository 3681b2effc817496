// What a proxy in front of Stellarr answers when Stellarr itself is down: 502, 503 or 504.
// Stellarr's own errors always carry a JSON `detail`, so these statuses without one are the
// proxy's. Pure (no DOM, no worker globals): the API client, the error messages and the
// service worker all judge by this one rule.

const GATEWAY = new Set([502, 503, 504]);

/** True when the answer is a gateway's for a Stellarr it could not reach. */
export function stellarrDown(status: number, detail?: string | null): boolean {
	return GATEWAY.has(status) && !detail;
}
