import { defineMessages } from '../types';

// The header bell (web push) and what it says.
export default defineMessages({
	en: {
		heading: 'Notifications',
		bell: 'Notifications',
		titleOn: 'Notifications are on for this browser',
		titleOff: 'Get notified when requests are added',
		turnedOn: 'Notifications are on for this browser.',
		turnedOff: 'Notifications are off for this browser.',
		notSetUp: 'Notifications are not set up on this Stellarr server yet.',
		blocked: 'Notifications are blocked for this site; allow them in the browser settings.',
		notAllowed: 'Notifications were not allowed, so they stay off.',
		iosHint:
			'To get notifications on an iPhone or iPad, add Stellarr to the Home Screen first (Share, then Add to Home Screen) and open it from there.',
		insecure: 'Notifications need Stellarr on https (or localhost); this page is plain http.',
		unsupported: 'This browser does not support push notifications.',
		checkFailed: 'Could not check notifications: {detail}',
		changeFailed: 'Could not change notifications.',
		changeFailedBecause: 'Could not change notifications: {detail}'
	},
	es: {
		heading: 'Notificaciones',
		bell: 'Notificaciones',
		titleOn: 'Las notificaciones están activadas en este navegador',
		titleOff: 'Recibe un aviso cuando se añadan tus solicitudes',
		turnedOn: 'Las notificaciones están activadas en este navegador.',
		turnedOff: 'Las notificaciones están desactivadas en este navegador.',
		notSetUp: 'Las notificaciones aún no están configuradas en este servidor de Stellarr.',
		blocked: 'Las notificaciones están bloqueadas para este sitio; permítelas en los ajustes del navegador.',
		notAllowed: 'No se permitieron las notificaciones, así que siguen desactivadas.',
		iosHint:
			'Para recibir notificaciones en un iPhone o iPad, primero añade Stellarr a la pantalla de inicio (Compartir y luego Añadir a pantalla de inicio) y ábrelo desde allí.',
		insecure: 'Las notificaciones necesitan Stellarr en https (o localhost); esta página usa http sin cifrar.',
		unsupported: 'Este navegador no admite notificaciones push.',
		checkFailed: 'No se pudieron comprobar las notificaciones: {detail}',
		changeFailed: 'No se pudieron cambiar las notificaciones.',
		changeFailedBecause: 'No se pudieron cambiar las notificaciones: {detail}'
	},
	fr: {
		heading: 'Notifications',
		bell: 'Notifications',
		titleOn: 'Les notifications sont activées sur ce navigateur',
		titleOff: 'Être prévenu quand des demandes sont ajoutées',
		turnedOn: 'Les notifications sont activées sur ce navigateur.',
		turnedOff: 'Les notifications sont désactivées sur ce navigateur.',
		notSetUp: 'Les notifications ne sont pas encore configurées sur ce serveur Stellarr.',
		blocked: 'Les notifications sont bloquées pour ce site ; autorisez-les dans les réglages du navigateur.',
		notAllowed: 'Les notifications n’ont pas été autorisées ; elles restent désactivées.',
		iosHint:
			'Pour recevoir des notifications sur iPhone ou iPad, ajoutez d’abord Stellarr à l’écran d’accueil (Partager, puis Sur l’écran d’accueil) et ouvrez-le depuis là.',
		insecure: 'Les notifications exigent Stellarr en https (ou localhost) ; cette page est en http simple.',
		unsupported: 'Ce navigateur ne prend pas en charge les notifications push.',
		checkFailed: 'Impossible de vérifier les notifications : {detail}',
		changeFailed: 'Impossible de modifier les notifications.',
		changeFailedBecause: 'Impossible de modifier les notifications : {detail}'
	},
	de: {
		heading: 'Benachrichtigungen',
		bell: 'Benachrichtigungen',
		titleOn: 'Benachrichtigungen sind in diesem Browser aktiviert',
		titleOff: 'Benachrichtigt werden, wenn Anfragen hinzugefügt wurden',
		turnedOn: 'Benachrichtigungen sind in diesem Browser aktiviert.',
		turnedOff: 'Benachrichtigungen sind in diesem Browser deaktiviert.',
		notSetUp: 'Benachrichtigungen sind auf diesem Stellarr-Server noch nicht eingerichtet.',
		blocked: 'Benachrichtigungen sind für diese Seite blockiert; erlaube sie in den Browsereinstellungen.',
		notAllowed: 'Benachrichtigungen wurden nicht erlaubt und bleiben daher aus.',
		iosHint:
			'Für Benachrichtigungen auf iPhone oder iPad füge Stellarr zuerst zum Home-Bildschirm hinzu (Teilen, dann „Zum Home-Bildschirm“) und öffne es von dort.',
		insecure: 'Benachrichtigungen brauchen Stellarr über https (oder localhost); diese Seite nutzt unverschlüsseltes http.',
		unsupported: 'Dieser Browser unterstützt keine Push-Benachrichtigungen.',
		checkFailed: 'Benachrichtigungen konnten nicht geprüft werden: {detail}',
		changeFailed: 'Benachrichtigungen konnten nicht geändert werden.',
		changeFailedBecause: 'Benachrichtigungen konnten nicht geändert werden: {detail}'
	}
});
