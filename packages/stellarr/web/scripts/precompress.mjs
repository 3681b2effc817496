// Post-build step, after externalise-boot.mjs (which rewrites index.html): a gzip copy
// next to every compressible file, so that `stellarr serve` answers browsers that accept
// gzip with these bytes (api/spa.py) and compresses nothing per request. adapter-static's
// own `precompress` runs before the boot script moves and would leave a stale index.html.gz.
// Level 9 costs nothing at run time; Node's gzip header has mtime 0, so a build gives the
// same bytes every time. A copy that would not be smaller is not written: the server then
// simply sends the plain file.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

// Text formats only: images and fonts are compressed already. Keep in step with
// COMPRESSIBLE in packages/stellarr/src/stellarr/api/spa.py.
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.json', '.svg', '.webmanifest']);

const here = dirname(fileURLToPath(import.meta.url));
// The build folder, or another one named on the command line (the tests use that).
const out =
	process.argv[2] ?? join(here, '..', '..', 'src', 'stellarr', 'static', 'web');

function* files(folder) {
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const path = join(folder, entry.name);
		if (entry.isDirectory()) yield* files(path);
		else if (entry.isFile()) yield path;
	}
}

// Copies from an earlier build go first (adapter-static empties the folder, but one may
// also have been left by hand): never serve gzip of something that is no longer there.
for (const path of [...files(out)]) if (path.endsWith('.gz')) rmSync(path);

let written = 0;
let before = 0;
let after = 0;
for (const path of [...files(out)]) {
	if (!COMPRESSIBLE.has(extname(path).toLowerCase())) continue;
	const plain = readFileSync(path);
	const packed = gzipSync(plain, { level: constants.Z_BEST_COMPRESSION });
	if (packed.length >= plain.length) continue;
	writeFileSync(`${path}.gz`, packed);
	written += 1;
	before += plain.length;
	after += packed.length;
}
console.log(`gzip copies: ${written} files, ${before} -> ${after} bytes`);
