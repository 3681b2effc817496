// The question a page asks the service worker on start: was I opened from your cache? Pure,
// shared by the page (OfflineNotice) and the worker.

/** The message's type; the reply comes on the MessagePort sent with it. */
export const SHELL_SOURCE = 'stellarr:shell-source';

export interface ShellSource {
	/** True when the worker answered this page's navigation with its kept shell. */
	fromCache: boolean;
}

export function isShellSourceQuestion(data: unknown): boolean {
	return !!data && typeof data === 'object' && (data as { type?: unknown }).type === SHELL_SOURCE;
}
