// Pages that show an error try again by themselves when the browser comes back online, so
// nobody is left reading a connection error after the connection returned.

/** Calls `retry` each time the browser reports it is online again; returns the cleanup,
 * for an `$effect` or `onMount` to hand back. */
export function onReconnect(retry: () => void): () => void {
	const handler = () => retry();
	window.addEventListener('online', handler);
	return () => window.removeEventListener('online', handler);
}
