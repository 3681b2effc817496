// The header's bell: subscribes this browser to Web Push so that the person who asked is
// told when a request lands in the library. sw.js shows the notifications.
(function (global) {
  'use strict';

  const WORKER = '/sw.js';
  const NOT_SET_UP = 'Notifications are not set up on this Stellarr server yet.';
  const BLOCKED = 'Notifications are blocked for this site; allow them in the browser settings.';
  const IOS_HINT = 'To get notifications on an iPhone or iPad, add Stellarr to the Home Screen'
    + ' first (Share, then Add to Home Screen) and open it from there.';

  // iPadOS says it is a Mac; only its touch screen tells them apart.
  const isIOS = () => /iPad|iPhone|iPod/.test(navigator.userAgent)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = () => navigator.standalone === true
    || (global.matchMedia && global.matchMedia('(display-mode: standalone)').matches);

  // Safari on iOS offers push only to apps added to the Home Screen; plain http on a LAN
  // address has no service workers at all (they need a secure context).
  function unsupportedReason() {
    if (isIOS() && !standalone()) return IOS_HINT;
    if (!global.isSecureContext) {
      return 'Notifications need Stellarr on https (or localhost); this page is plain http.';
    }
    if (!('serviceWorker' in navigator) || !('PushManager' in global) || !('Notification' in global)) {
      return 'This browser does not support push notifications.';
    }
    return null;
  }

  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) return false;
    const other = new Uint8Array(buffer);
    return other.length === bytes.length && other.every((b, i) => b === bytes[i]);
  }

  // `api` and `showMessage` come from app.js, so the bell uses the same token and the same
  // in-page message box as the rest of the UI.
  function createBell(button, note, { api, showMessage }) {
    let state = 'unknown'; // unknown | unavailable | off | on | busy
    let reason = '';

    function render(next) {
      state = next;
      const on = state === 'on';
      button.hidden = false;
      button.setAttribute('aria-pressed', String(on));
      // aria-disabled, not disabled: the button stays focusable and clickable, so keyboard
      // and screen-reader users can still reach the explanation.
      button.setAttribute('aria-disabled', String(state === 'unavailable' || state === 'busy'));
      button.classList.toggle('on', on);
      note.textContent = state === 'unavailable' ? reason : '';
      button.title = state === 'unavailable' ? reason
        : on ? 'Notifications are on for this browser' : 'Get notified when requests are added';
    }

    function unavailable(why) {
      reason = why;
      render('unavailable');
    }

    async function registration() {
      return (await navigator.serviceWorker.getRegistration('/')) || null;
    }

    async function currentSubscription() {
      const found = await registration();
      return found ? found.pushManager.getSubscription() : null;
    }

    async function refresh() {
      const why = unsupportedReason();
      if (why) return unavailable(why);
      try {
        const subscription = await currentSubscription();
        const query = subscription ? `?endpoint=${encodeURIComponent(subscription.endpoint)}` : '';
        const status = await api('GET', `/api/push/status${query}`);
        if (!status.configured) return unavailable(NOT_SET_UP);
        render(subscription && status.subscribed ? 'on' : 'off');
      } catch (error) {
        // Quietly: this runs on every login, and search works without the bell. A click on
        // the greyed bell shows why.
        unavailable(error.status === 503 ? NOT_SET_UP : `Could not check notifications: ${error.message}`);
      }
    }

    async function subscribe() {
      const permission = await Notification.requestPermission();
      if (permission === 'denied') throw new Error(BLOCKED);
      if (permission !== 'granted') throw new Error('Notifications were not allowed, so they stay off.');
      let key;
      try {
        key = keyBytes((await api('GET', '/api/push/vapid-public-key')).public_key);
      } catch (error) {
        if (error.status === 503) { unavailable(NOT_SET_UP); return false; }
        throw error;
      }
      await navigator.serviceWorker.register(WORKER, { scope: '/' });
      const { pushManager } = await navigator.serviceWorker.ready;
      let subscription = await pushManager.getSubscription();
      // A subscription made for an older server key cannot be reused: push services
      // refuse a second key for the same subscription.
      if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
        await subscription.unsubscribe();
        subscription = null;
      }
      subscription = subscription
        || await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      try {
        await api('POST', '/api/push/subscribe', subscription.toJSON());
      } catch (error) {
        if (error.status !== 409) throw error;
        // Someone else signed in on this browser earlier and still owns its endpoint: a
        // fresh subscription gets a new endpoint of its own.
        await subscription.unsubscribe();
        subscription = await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
        await api('POST', '/api/push/subscribe', subscription.toJSON());
      }
      return true;
    }

    // The browser stops first: even if the server cannot be told now, nothing arrives here,
    // and the push service's "gone" answer makes the server forget the endpoint later.
    async function unsubscribe() {
      const subscription = await currentSubscription();
      if (!subscription) return;
      const { endpoint } = subscription;
      await subscription.unsubscribe();
      try {
        await api('DELETE', '/api/push/subscribe', { endpoint });
      } catch (error) {
        if (error.status !== 404) throw error; // already gone is what we wanted
      }
    }

    button.addEventListener('click', async () => {
      if (state === 'unavailable') {
        await refresh(); // the server may have been set up, or reachable again, since
        if (state === 'unavailable') showMessage(reason, 'info');
        return;
      }
      if (state === 'busy' || state === 'unknown') return;
      const turningOn = state === 'off';
      render('busy');
      try {
        if (turningOn) {
          if (!(await subscribe())) return;
          render('on');
          showMessage('Notifications are on for this browser.', 'success');
        } else {
          await unsubscribe();
          render('off');
          showMessage('Notifications are off for this browser.', 'success');
        }
      } catch (error) {
        await refresh();
        showMessage(error.message || 'Could not change notifications.', 'error');
      }
    });

    return {
      refresh,
      // Logging out of a shared browser must not leave it receiving someone's notifications.
      async forget() {
        if (state !== 'on') return;
        try { await unsubscribe(); } catch { /* best effort: the token may be gone already */ }
        render('off');
      },
    };
  }

  global.StellarrPush = { createBell };
})(window);
