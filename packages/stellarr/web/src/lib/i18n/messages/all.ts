// Every language at once, for the unit tests that check each catalogue; the app itself
// loads English with its code and any other language only when it is chosen.
import de from './de';
import en from './en';
import es from './es';
import fr from './fr';

export const catalogues = { en, es, fr, de };
