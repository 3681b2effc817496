import { describe, expect, it } from 'vitest';
import { isMonitor, publishedAs } from './monitor';

describe('publishedAs', () => {
	const offered = ['all', 'first', 'latest'] as const;

	it('says nothing while the admin offers no choice', () => {
		expect(publishedAs('latest', [])).toBeNull();
		expect(publishedAs('all', [])).toBeNull();
	});

	it('is the stored choice while its list is set up', () => {
		expect(publishedAs('latest', offered)).toBe('latest');
		expect(publishedAs('all', offered)).toBe('all');
	});

	it('is the whole show once its list is dropped, or when the server sent none', () => {
		expect(publishedAs('future', offered)).toBe('all');
		expect(publishedAs(undefined, offered)).toBe('all');
		expect(publishedAs('pilot', offered)).toBe('all');
	});
});

describe('isMonitor', () => {
	it('knows the four choices and nothing else', () => {
		expect(['all', 'first', 'latest', 'future'].every(isMonitor)).toBe(true);
		expect([null, '', 'pilot', 1].some(isMonitor)).toBe(false);
	});
});
