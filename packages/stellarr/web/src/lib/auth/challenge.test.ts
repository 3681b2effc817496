import { describe, expect, it } from 'vitest';
import { challengeHash, deriveKey, webCrypto } from './challenge';
import { pbkdf2Hex, sha256Hex } from './sha256';

// The API contract's vector; the full values come from the server's own code:
// python -c "from stellarr.domain.challenge import derive_key, challenge_hash; ..."
const PASSWORD = 'changeme';
const ORIGIN = 'https://stellarr.example.com';
const ITERATIONS = 100_000;
const TIMESTAMP = 1703001234;
const DERIVED = 'ffd8ab0c4ed52e11ac0e78c3d0476dedd6e3f4cab52ad489f0284124d67a7f05';
const HASH = 'bf3a263b2bbece629bbaf98499798dd6acde208494e8315c1b64d2ec2ece8773';

describe('login challenge', () => {
	it('matches the vector with WebCrypto', async () => {
		const subtle = webCrypto();
		expect(subtle).not.toBeNull(); // Node has crypto.subtle: this path must really run
		const derived = await deriveKey(PASSWORD, ORIGIN, ITERATIONS, subtle);
		expect(derived).toBe(DERIVED);
		const hash = await challengeHash(derived, TIMESTAMP, subtle);
		expect(hash).toBe(HASH);
		expect(hash.startsWith('bf3a263b') && hash.endsWith('8773')).toBe(true);
	});

	it('matches the vector with the pure-JS fallback (no crypto.subtle)', async () => {
		const derived = await deriveKey(PASSWORD, ORIGIN, ITERATIONS, null);
		expect(derived).toBe(DERIVED);
		expect(await challengeHash(derived, TIMESTAMP, null)).toBe(HASH);
	});
});

describe('pure-JS SHA-256 and PBKDF2', () => {
	it('hashes the FIPS 180-2 examples, across block boundaries', () => {
		expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
		expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
			'248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
		);
	});

	it('follows RFC 7914 §11 (PBKDF2-HMAC-SHA256) for longer output and a long key', () => {
		expect(pbkdf2Hex('passwd', 'salt', 1, 64)).toBe(
			'55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' +
				'49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783'
		);
		// Keys over one block are hashed first (HMAC); compare with WebCrypto.
		const long = 'x'.repeat(100);
		return deriveKey(long, 'salt', 2).then((viaWebCrypto) =>
			expect(pbkdf2Hex(long, 'salt', 2, 32)).toBe(viaWebCrypto)
		);
	});
});
