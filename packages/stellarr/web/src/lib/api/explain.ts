// The one place pages turn a failure into words: in the current language, from the status
// and the context (problems.ts). Anything that is not an API failure (a browser error, a
// bug) gets a plain "something went wrong" rather than its English text.
import { t } from '$lib/i18n/index.svelte';
import { ApiError } from './http';
import { problemFor, type Failure, type ProblemContext } from './problems';

export type { ProblemContext };

export function describeFailure(failure: Failure, context: ProblemContext = 'any'): string {
	const { key, params } = problemFor(failure, context);
	return t(key, params);
}

export function explain(error: unknown, context: ProblemContext = 'any'): string {
	if (error instanceof ApiError) return describeFailure(error, context);
	return t('errors.unexpected');
}
