// Post-build step: SvelteKit's SPA fallback page boots the app from an inline <script>, and
// Stellarr's CSP says script-src 'self' (no 'unsafe-inline', no hashes to keep in sync).
// This moves that script into a content-hashed file under _app/immutable/ and points the
// page at it. A classic (non-module, non-deferred) script keeps document.currentScript,
// which the boot code uses to find its mount element.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'src', 'stellarr', 'static', 'web');
const indexPath = join(out, 'index.html');

const html = readFileSync(indexPath, 'utf8');
// Inline scripts only: <script> with no attributes, which is what SvelteKit writes.
const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
if (inline.length !== 1) {
	throw new Error(`expected exactly one inline <script> in ${indexPath}, found ${inline.length}`);
}
const [whole, body] = inline[0];
const code = `${body.trim()}\n`;
const hash = createHash('sha256').update(code).digest('base64url').slice(0, 10);
const name = `_app/immutable/boot.${hash}.js`;
writeFileSync(join(out, name), code);

const rewritten = html.replace(whole, `<script src="/${name}"></script>`);
// Anything the CSP would block must fail the build, not a user's page load.
const leftovers = [
	[/<script(?![^>]*\bsrc=)[^>]*>/i, 'an inline <script>'],
	[/\son[a-z]+\s*=/i, 'an inline event handler'],
	[/\sstyle\s*=/i, 'a style attribute'],
	[/<style[\s>]/i, 'a <style> element']
];
for (const [pattern, what] of leftovers) {
	if (pattern.test(rewritten)) throw new Error(`${indexPath} still has ${what}; the CSP would block it`);
}
writeFileSync(indexPath, rewritten);
console.log(`boot script moved to /${name}`);
