// Stellarr's service worker: only shows push notifications and opens the app on a click.
// No fetch handler on purpose: every request goes to the network as if this were absent,
// so a stale cache can never serve an old UI.
'use strict';

const APP = '/';
const DEFAULT_TITLE = 'Stellarr';
const DEFAULT_ICON = '/favicon.svg';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const text = (value) => (typeof value === 'string' && value.trim() ? value : undefined);

// Clicks only ever open this app: a URL to another site in a payload is ignored.
function appUrl(value) {
  try {
    const url = new URL(text(value) || APP, self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL(APP, self.location.origin).href;
  } catch {
    return new URL(APP, self.location.origin).href;
  }
}

function readPayload(data) {
  if (!data) return {};
  try {
    const parsed = data.json();
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return { body: data.text() }; // a plain-text push is still worth showing
  }
}

self.addEventListener('push', (event) => {
  const payload = readPayload(event.data);
  const options = {
    body: text(payload.body) || '',
    icon: text(payload.icon) || DEFAULT_ICON,
    data: { url: appUrl(payload.url) },
  };
  // The same tag replaces an earlier notification about the same title.
  if (text(payload.tag)) options.tag = payload.tag;
  if (text(payload.image)) options.image = payload.image;
  event.waitUntil(self.registration.showNotification(text(payload.title) || DEFAULT_TITLE, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || appUrl(APP);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (!open) return self.clients.openWindow(target);
    // Focus first: a click grants it only briefly. Then go where the message points,
    // unless the window is already there or this worker does not control it yet.
    const focused = await open.focus();
    if (focused.url !== target && target !== appUrl(APP) && 'navigate' in focused) {
      await focused.navigate(target).catch(() => undefined);
    }
    return focused;
  })());
});
