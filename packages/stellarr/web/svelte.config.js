import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// The build lands inside the Python package, which serves it (git ignores that folder).
const OUT = '../src/stellarr/static/web';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A pure SPA: every non-API path is answered with index.html by the Python server.
		adapter: adapter({ pages: OUT, assets: OUT, fallback: 'index.html', precompress: false, strict: true }),
		// Relative asset paths would break on deep links served by the fallback.
		paths: { relative: false },
		// No inline scripts beyond SvelteKit's boot one, which the post-build step moves out.
		output: { bundleStrategy: 'split' },
		version: { pollInterval: 0 }
	}
};

export default config;
