// Which message tells the user what went wrong: chosen here from the HTTP status and what
// the page was doing, never from the server's `detail`, which is English. Pure (no runes),
// so the unit tests cover every branch; explain.ts turns the answer into text.
import type { Params } from '../i18n/format';
import { stellarrDown } from './gateway';
import type { MessageKey } from '../i18n/index.svelte';

/** What the page was doing when the call failed; 'any' where nothing more is known. */
export type ProblemContext = 'any' | 'login' | 'request' | 'title' | 'remove';

export interface Failure {
	/** 0: the server was not reached. */
	status: number;
	detail?: string | null;
	/** Seconds from Retry-After, when the server sent it. */
	retryAfter?: number | null;
}

export interface Problem {
	key: MessageKey;
	params?: Params;
}

// Up to a minute and a half reads better in seconds; anything longer, in whole minutes.
const SECONDS_SHOWN_UP_TO = 90;

function waitFor(seconds: number | null | undefined): Problem {
	if (seconds === null || seconds === undefined) return { key: 'errors.tooManySoon' };
	if (seconds < SECONDS_SHOWN_UP_TO) return { key: 'errors.tooManySeconds', params: { count: Math.max(1, seconds) } };
	return { key: 'errors.tooManyMinutes', params: { count: Math.ceil(seconds / 60) } };
}

function unauthorized(failure: Failure, context: ProblemContext): Problem {
	if (context !== 'login') return { key: 'common.sessionExpired' };
	// A login is refused with one status for several reasons. The one a user can fix other
	// than by retyping is a wrong clock (the challenge is signed with the time), so that one
	// is told apart; the detail is read, never shown.
	return { key: /clock/i.test(failure.detail ?? '') ? 'errors.clockSkew' : 'errors.wrongPassword' };
}

function notFound(context: ProblemContext): Problem {
	if (context === 'request') return { key: 'errors.titleUnknown' };
	if (context === 'title') return { key: 'title.notFound' };
	if (context === 'remove') return { key: 'requests.removeGone' };
	return { key: 'errors.notFound' };
}

function serverSide(failure: Failure): Problem {
	const { status } = failure;
	if (stellarrDown(status, failure.detail)) return { key: 'errors.down' };
	if (status === 502 || status === 504) return { key: 'errors.upstream' };
	// The one 503 an admin fixes by configuring rather than waiting: no TMDB key. Told apart
	// by the server's detail (read, never shown), as a wrong clock is at login.
	if (status === 503 && /not set up/i.test(failure.detail ?? '')) return { key: 'errors.searchNotSetUp' };
	if (status === 503) return { key: 'errors.unavailable' };
	return { key: 'errors.server', params: { status: String(status) } };
}

function badRequest(failure: Failure, context: ProblemContext): Problem {
	// A login name the server refuses for being a chat's call to everyone ("@here") is not
	// a mistake anyone would guess, so it is named; told apart by the detail, never shown.
	if (context === 'login' && /mention/i.test(failure.detail ?? '')) return { key: 'errors.nameMention' };
	return { key: 'errors.invalid' };
}

export function problemFor(failure: Failure, context: ProblemContext = 'any'): Problem {
	const { status } = failure;
	if (status === 0) return { key: 'errors.network' };
	if (status >= 500) return serverSide(failure);
	switch (status) {
		case 401:
			return unauthorized(failure, context);
		case 403:
			return { key: context === 'remove' ? 'requests.removeForbidden' : 'errors.forbidden' };
		case 404:
			return notFound(context);
		case 409:
			return { key: context === 'request' ? 'errors.alreadyRequested' : 'errors.conflict' };
		case 429:
			return waitFor(failure.retryAfter);
		case 422:
			// The title page's address names the title: one the API rejects does not exist.
			return context === 'title' ? notFound(context) : { key: 'errors.invalid' };
		case 400:
			return badRequest(failure, context);
		case 413:
			return { key: 'errors.invalid' };
		default:
			return { key: 'errors.http', params: { status: String(status) } };
	}
}
