import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * SvelteKit's generated root component gives its route announcer (the live region that
 * reads out each new page) a style attribute, which Stellarr's CSP (style-src 'self')
 * blocks. This drops the attribute before Svelte compiles the component; app.css gives
 * #svelte-announcer the same visually-hidden rules. The build fails if the markup changes,
 * rather than letting a CSP error reach users.
 */
function announcerWithoutInlineStyle(): Plugin {
	const pattern = /(<div id="svelte-announcer"[^>]*?)\s+style="[^"]*"/;
	return {
		name: 'stellarr:announcer-without-inline-style',
		enforce: 'pre',
		transform(code, id) {
			if (!id.replace(/\\/g, '/').endsWith('/.svelte-kit/generated/root.svelte')) return null;
			if (!pattern.test(code)) {
				if (code.includes('style=')) throw new Error('root.svelte has a style attribute this plugin does not know');
				return null;
			}
			return { code: code.replace(pattern, '$1'), map: null };
		}
	};
}

export default defineConfig({
	plugins: [announcerWithoutInlineStyle(), sveltekit()],
	build: { target: 'es2022' },
	// An address, not the name "localhost": Vite looks the name up even for Vitest, and a
	// machine without /etc/hosts (a minimal container or chroot) cannot resolve it.
	server: { host: '127.0.0.1' },
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node',
		// West of UTC, where a date-only value read as local time is the day before.
		env: { TZ: 'America/New_York' }
	}
});
