import { defineMessages } from '../types';

// The login page (routes/login).
export default defineMessages({
	en: {
		heading: 'Log in',
		intro: 'Use the password your household shares. Your name shows on the titles you request.',
		name: 'Your name',
		password: 'Password',
		submit: 'Log in',
		submitting: 'Logging in…',
		failed: 'Could not log in: {reason}'
	},
	es: {
		heading: 'Iniciar sesión',
		intro: 'Usa la contraseña que compartís en casa. Tu nombre aparece en los títulos que solicites.',
		name: 'Tu nombre',
		password: 'Contraseña',
		submit: 'Iniciar sesión',
		submitting: 'Iniciando sesión…',
		failed: 'No se pudo iniciar sesión: {reason}'
	},
	fr: {
		heading: 'Se connecter',
		intro: 'Utilisez le mot de passe partagé du foyer. Votre nom apparaît sur les titres que vous demandez.',
		name: 'Votre nom',
		password: 'Mot de passe',
		submit: 'Se connecter',
		submitting: 'Connexion…',
		failed: 'Connexion impossible : {reason}'
	},
	de: {
		heading: 'Anmelden',
		intro: 'Verwende das gemeinsame Passwort eures Haushalts. Dein Name steht bei den Titeln, die du anfragst.',
		name: 'Dein Name',
		password: 'Passwort',
		submit: 'Anmelden',
		submitting: 'Anmeldung läuft…',
		failed: 'Anmeldung fehlgeschlagen: {reason}'
	}
});
