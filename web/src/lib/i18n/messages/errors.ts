import { defineMessages } from '../types';

// What went wrong, told in the user's language. The page picks one from the HTTP status and
// what it was doing (lib/api/problems.ts); the server's own `detail` is English and for logs.
export default defineMessages({
	en: {
		network: 'Cannot reach Stellarr; check your connection and try again.',
		wrongPassword: 'Wrong password. Check it and try again.',
		clockSkew: 'This device’s clock is wrong. Set it to the right time and try again.',
		tooManySeconds: {
			one: 'Too many attempts. Try again in {count} second.',
			other: 'Too many attempts. Try again in {count} seconds.'
		},
		tooManyMinutes: {
			one: 'Too many attempts. Try again in {count} minute.',
			other: 'Too many attempts. Try again in {count} minutes.'
		},
		tooManySoon: 'Too many attempts. Wait a moment and try again.',
		forbidden: 'You are not allowed to do that.',
		notFound: 'It was not found; it may have been removed.',
		titleUnknown: 'TMDB does not know this title.',
		alreadyRequested: 'It was already requested.',
		conflict: 'This changed in the meantime. Reload and try again.',
		invalid: 'Stellarr could not accept this.',
		upstream: 'TMDB is not answering right now. Try again in a moment.',
		down: 'Stellarr is not answering right now. Try again shortly.',
		unavailable: 'Stellarr cannot do this right now. Try again shortly.',
		searchNotSetUp: 'Search is not set up yet: ask the admin to add a TMDB key.',
		server: 'Something went wrong on the Stellarr server (HTTP {status}). Try again shortly.',
		http: 'Stellarr refused this (HTTP {status}).',
		unexpected: 'Something went wrong. Reload the page and try again.',
		pageFailed: 'This page could not be opened.'
	},
	es: {
		network: 'No se puede conectar con Stellarr; revisa tu conexión e inténtalo de nuevo.',
		wrongPassword: 'Contraseña incorrecta. Revísala e inténtalo de nuevo.',
		clockSkew: 'El reloj de este dispositivo no está en hora. Ajústalo e inténtalo de nuevo.',
		tooManySeconds: {
			one: 'Demasiados intentos. Vuelve a intentarlo dentro de {count} segundo.',
			other: 'Demasiados intentos. Vuelve a intentarlo dentro de {count} segundos.'
		},
		tooManyMinutes: {
			one: 'Demasiados intentos. Vuelve a intentarlo dentro de {count} minuto.',
			other: 'Demasiados intentos. Vuelve a intentarlo dentro de {count} minutos.'
		},
		tooManySoon: 'Demasiados intentos. Espera un momento e inténtalo de nuevo.',
		forbidden: 'No tienes permiso para hacer eso.',
		notFound: 'No se encontró; puede que se haya quitado.',
		titleUnknown: 'TMDB no conoce este título.',
		alreadyRequested: 'Ya estaba solicitado.',
		conflict: 'Esto cambió mientras tanto. Recarga e inténtalo de nuevo.',
		invalid: 'Stellarr no pudo aceptar esto.',
		upstream: 'TMDB no responde en este momento. Inténtalo de nuevo en un momento.',
		down: 'Stellarr no responde en este momento. Inténtalo de nuevo en breve.',
		unavailable: 'Stellarr no puede hacerlo ahora. Inténtalo de nuevo en breve.',
		searchNotSetUp: 'La búsqueda aún no está configurada: pide al administrador que añada una clave de TMDB.',
		server: 'Algo falló en el servidor de Stellarr (HTTP {status}). Inténtalo de nuevo en breve.',
		http: 'Stellarr rechazó esto (HTTP {status}).',
		unexpected: 'Algo salió mal. Recarga la página e inténtalo de nuevo.',
		pageFailed: 'No se pudo abrir esta página.'
	},
	fr: {
		network: 'Impossible de joindre Stellarr ; vérifiez votre connexion et réessayez.',
		wrongPassword: 'Mot de passe incorrect. Vérifiez-le et réessayez.',
		clockSkew: 'L’horloge de cet appareil n’est pas à l’heure. Réglez-la puis réessayez.',
		tooManySeconds: {
			one: 'Trop de tentatives. Réessayez dans {count} seconde.',
			other: 'Trop de tentatives. Réessayez dans {count} secondes.'
		},
		tooManyMinutes: {
			one: 'Trop de tentatives. Réessayez dans {count} minute.',
			other: 'Trop de tentatives. Réessayez dans {count} minutes.'
		},
		tooManySoon: 'Trop de tentatives. Patientez un instant puis réessayez.',
		forbidden: 'Vous n’avez pas le droit de faire cela.',
		notFound: 'Introuvable ; l’élément a peut-être été retiré.',
		titleUnknown: 'TMDB ne connaît pas ce titre.',
		alreadyRequested: 'C’était déjà demandé.',
		conflict: 'Cela a changé entre-temps. Rechargez puis réessayez.',
		invalid: 'Stellarr n’a pas pu accepter cela.',
		upstream: 'TMDB ne répond pas pour le moment. Réessayez dans un instant.',
		down: 'Stellarr ne répond pas pour le moment. Réessayez bientôt.',
		unavailable: 'Stellarr ne peut pas le faire pour le moment. Réessayez bientôt.',
		searchNotSetUp: 'La recherche n’est pas encore configurée : demandez à l’administrateur d’ajouter une clé TMDB.',
		server: 'Un problème est survenu sur le serveur Stellarr (HTTP {status}). Réessayez bientôt.',
		http: 'Stellarr a refusé cela (HTTP {status}).',
		unexpected: 'Un problème est survenu. Rechargez la page et réessayez.',
		pageFailed: 'Cette page n’a pas pu s’ouvrir.'
	},
	de: {
		network: 'Stellarr ist nicht erreichbar; bitte Verbindung prüfen und erneut versuchen.',
		wrongPassword: 'Falsches Passwort. Bitte prüfen und erneut versuchen.',
		clockSkew: 'Die Uhr dieses Geräts geht falsch. Bitte richtig stellen und erneut versuchen.',
		tooManySeconds: {
			one: 'Zu viele Versuche. Bitte in {count} Sekunde erneut versuchen.',
			other: 'Zu viele Versuche. Bitte in {count} Sekunden erneut versuchen.'
		},
		tooManyMinutes: {
			one: 'Zu viele Versuche. Bitte in {count} Minute erneut versuchen.',
			other: 'Zu viele Versuche. Bitte in {count} Minuten erneut versuchen.'
		},
		tooManySoon: 'Zu viele Versuche. Bitte einen Moment warten und erneut versuchen.',
		forbidden: 'Das darfst du nicht.',
		notFound: 'Nicht gefunden; vielleicht wurde es entfernt.',
		titleUnknown: 'TMDB kennt diesen Titel nicht.',
		alreadyRequested: 'Das wurde bereits angefragt.',
		conflict: 'Das hat sich inzwischen geändert. Bitte neu laden und erneut versuchen.',
		invalid: 'Stellarr konnte das nicht annehmen.',
		upstream: 'TMDB antwortet gerade nicht. Bitte gleich erneut versuchen.',
		down: 'Stellarr antwortet gerade nicht. Bitte bald erneut versuchen.',
		unavailable: 'Stellarr kann das gerade nicht erledigen. Bitte bald erneut versuchen.',
		searchNotSetUp: 'Die Suche ist noch nicht eingerichtet: Bitte den Admin, einen TMDB-Schlüssel hinzuzufügen.',
		server: 'Auf dem Stellarr-Server ist etwas schiefgelaufen (HTTP {status}). Bitte bald erneut versuchen.',
		http: 'Stellarr hat das abgelehnt (HTTP {status}).',
		unexpected: 'Etwas ist schiefgelaufen. Bitte Seite neu laden und erneut versuchen.',
		pageFailed: 'Diese Seite konnte nicht geöffnet werden.'
	}
});
