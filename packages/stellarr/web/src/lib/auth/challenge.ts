// The login challenge, as the server checks it (stellarr/domain/challenge.py):
//   derived = hex(PBKDF2-HMAC-SHA256(password, salt = page origin, iterations, 32 bytes))
//   hash    = hex(SHA-256(derived + ":" + timestamp))
// The password never leaves the browser. WebCrypto does the work where the browser offers
// it; on plain http with a LAN name (no secure context, no crypto.subtle) the pure-JS
// sha256.ts does, loaded only then.

type Subtle = Pick<SubtleCrypto, 'importKey' | 'deriveBits' | 'digest'>;

/** The page's WebCrypto, or null where the browser hides it (insecure contexts). */
export function webCrypto(): Subtle | null {
	return globalThis.crypto?.subtle ?? null;
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

function hex(buffer: ArrayBuffer): string {
	return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The per-origin key: what the server stores nothing of but recomputes to compare. */
export async function deriveKey(
	password: string,
	origin: string,
	iterations: number,
	subtle: Subtle | null = webCrypto()
): Promise<string> {
	if (!subtle) return (await import('./sha256')).pbkdf2Hex(password, origin, iterations, 32);
	const key = await subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
	const bits = await subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt: utf8(origin), iterations },
		key,
		256
	);
	return hex(bits);
}

/** The one-time proof for `timestamp` (seconds): SHA-256 of `derived:timestamp`, hex. */
export async function challengeHash(
	derived: string,
	timestamp: number,
	subtle: Subtle | null = webCrypto()
): Promise<string> {
	const text = `${derived}:${timestamp}`;
	if (!subtle) return (await import('./sha256')).sha256Hex(text);
	return hex(await subtle.digest('SHA-256', utf8(text)));
}
