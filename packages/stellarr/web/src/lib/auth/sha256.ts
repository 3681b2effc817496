// Pure-JS SHA-256 and PBKDF2-HMAC-SHA256 for logging in over plain http on a LAN name,
// where browsers hide crypto.subtle (it only exists in secure contexts). challenge.ts prefers
// WebCrypto and loads this module only when WebCrypto is missing, so it costs nothing on
// https or localhost. A port of the old UI's static/crypto.js.

const K = new Int32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
const IV = new Int32Array([
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
]);
const W = new Int32Array(64);

// Typed-array reads: in-range indexes always hold a number, whatever noUncheckedIndexedAccess
// assumes; `| 0` keeps the arithmetic in int32 too.
const at = (array: Int32Array, i: number): number => array[i]! | 0;

/**
 * One 64-byte block (16 big-endian words) into `state`, in place. PBKDF2 calls this 200,000
 * times per login, so it works on Int32 words and allocates nothing.
 */
function compress(state: Int32Array, block: Int32Array): void {
	for (let i = 0; i < 16; i++) W[i] = at(block, i);
	for (let i = 16; i < 64; i++) {
		const a = at(W, i - 15);
		const b = at(W, i - 2);
		const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
		const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
		W[i] = (at(W, i - 16) + s0 + at(W, i - 7) + s1) | 0;
	}
	let a = at(state, 0), b = at(state, 1), c = at(state, 2), d = at(state, 3);
	let e = at(state, 4), f = at(state, 5), g = at(state, 6), h = at(state, 7);
	for (let i = 0; i < 64; i++) {
		const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
		const t1 = (h + S1 + ((e & f) ^ (~e & g)) + at(K, i) + at(W, i)) | 0;
		const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
		const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
		h = g;
		g = f;
		f = e;
		e = (d + t1) | 0;
		d = c;
		c = b;
		b = a;
		a = (t1 + t2) | 0;
	}
	state[0] = (at(state, 0) + a) | 0;
	state[1] = (at(state, 1) + b) | 0;
	state[2] = (at(state, 2) + c) | 0;
	state[3] = (at(state, 3) + d) | 0;
	state[4] = (at(state, 4) + e) | 0;
	state[5] = (at(state, 5) + f) | 0;
	state[6] = (at(state, 6) + g) | 0;
	state[7] = (at(state, 7) + h) | 0;
}

/**
 * Hashes `bytes` starting from `start`, a state that already absorbed `prefixLength` bytes
 * (HMAC resumes from its precomputed key block this way).
 */
function finish(start: Int32Array, prefixLength: number, bytes: Uint8Array): Int32Array {
	const state = Int32Array.from(start);
	const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
	padded.set(bytes);
	padded[bytes.length] = 0x80;
	const view = new DataView(padded.buffer);
	const bits = (prefixLength + bytes.length) * 8;
	view.setUint32(padded.length - 8, Math.floor(bits / 0x100000000));
	view.setUint32(padded.length - 4, bits >>> 0);
	const block = new Int32Array(16);
	for (let offset = 0; offset < padded.length; offset += 64) {
		for (let i = 0; i < 16; i++) block[i] = view.getInt32(offset + i * 4);
		compress(state, block);
	}
	return state;
}

function toBytes(words: Int32Array): Uint8Array {
	const out = new Uint8Array(words.length * 4);
	const view = new DataView(out.buffer);
	words.forEach((word, i) => view.setInt32(i * 4, word));
	return out;
}

export function hex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function sha256Hex(text: string): string {
	return hex(toBytes(finish(IV, 0, utf8(text))));
}

/** PBKDF2-HMAC-SHA256 of `password` with `salt`, `length` bytes, as hex. */
export function pbkdf2Hex(password: string, salt: string, iterations: number, length: number): string {
	let key = utf8(password);
	if (key.length > 64) key = toBytes(finish(IV, 0, key));
	const [inner, outer] = [0x36, 0x5c].map((pad) => {
		const block = new Uint8Array(64).fill(pad);
		key.forEach((b, i) => {
			block[i] = block[i]! ^ b;
		});
		const view = new DataView(block.buffer);
		const state = Int32Array.from(IV);
		compress(state, Int32Array.from({ length: 16 }, (_, i) => view.getInt32(i * 4)));
		return state;
	}) as [Int32Array, Int32Array];
	const hmac = (bytes: Uint8Array): Int32Array => finish(outer, 64, toBytes(finish(inner, 64, bytes)));

	// Every U after the first hashes exactly 32 bytes after a 64-byte key block, so both
	// padding blocks are fixed: only their first 8 words change.
	const block = new Int32Array(16);
	block[8] = 0x80000000 | 0;
	block[15] = (64 + 32) * 8;
	const state = new Int32Array(8);
	const out: Uint8Array[] = [];
	const saltBytes = utf8(salt);
	for (let index = 1; out.length * 32 < length; index++) {
		const message = new Uint8Array(saltBytes.length + 4);
		message.set(saltBytes);
		new DataView(message.buffer).setUint32(saltBytes.length, index);
		const u = hmac(message);
		const t = Int32Array.from(u);
		for (let round = 1; round < iterations; round++) {
			block.set(u);
			state.set(inner);
			compress(state, block);
			block.set(state);
			u.set(outer);
			compress(u, block);
			for (let i = 0; i < 8; i++) t[i] = at(t, i) ^ at(u, i);
		}
		out.push(toBytes(t));
	}
	const joined = new Uint8Array(out.length * 32);
	out.forEach((part, i) => joined.set(part, i * 32));
	return hex(joined.subarray(0, length));
}
