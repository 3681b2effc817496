// Short messages for the whole app (a request made, a request refused). Rune state that
// Toast.svelte, mounted once in the layout, shows in live regions: errors in an alert
// region that screen readers read at once, the rest in a polite status region.

export type ToastKind = 'info' | 'error';
export interface Toast {
	id: number;
	kind: ToastKind;
	message: string;
}

// Long enough to read a sentence; errors stay until dismissed or the next few arrive.
const INFO_MS = 5000;
const ERROR_MS = 10000;
const MAX_SHOWN = 4;

const state = $state<{ items: Toast[] }>({ items: [] });
let nextId = 1;

function push(kind: ToastKind, message: string): number {
	const id = nextId++;
	state.items = [...state.items, { id, kind, message }].slice(-MAX_SHOWN);
	setTimeout(() => dismiss(id), kind === 'error' ? ERROR_MS : INFO_MS);
	return id;
}

export function dismiss(id: number): void {
	state.items = state.items.filter((item) => item.id !== id);
}

export const toast = {
	/** Reactive list of what is shown, oldest first. */
	get items(): readonly Toast[] {
		return state.items;
	},
	info: (message: string): number => push('info', message),
	error: (message: string): number => push('error', message),
	dismiss
};
