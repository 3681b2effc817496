// Stellarr's stopgap web UI: plain files, no build step, no dependencies, works offline.
// Every piece of server or TMDB text goes through textContent, never innerHTML.
'use strict';

const SESSION_KEY = 'stellarr.session';
const POSTER_BASE = 'https://image.tmdb.org/t/p/w185';
const VIEWS = ['login', 'search', 'requests', 'feeds'];
// The trending lists are warmed for a few languages (TRENDING_LOCALES); English is the
// fallback for every other browser language.
const TRENDING_FALLBACK = 'en';

const $ = (id) => document.getElementById(id);
const wantedView = () => location.hash.replace(/^#\/?/, '') || 'search';
let session = loadSession();
let search = { query: '', mediaType: null, page: 0, totalPages: 0 };

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

function loadSession() {
  try {
    const saved = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    return saved && typeof saved.token === 'string' ? saved : null;
  } catch {
    return null; // a corrupt entry just means logging in again
  }
}

function saveSession(value) {
  session = value;
  if (value) localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  else localStorage.removeItem(SESSION_KEY);
}

function showMessage(text, kind = 'info') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
  $('message').textContent = '';
}

// ---- API ------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach Stellarr; check your connection.');
  }
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const detail = data && typeof data.detail === 'string'
    ? data.detail : `Request failed (HTTP ${response.status})`;
  // Outside the login call a 401 means the token is stale: drop it and ask again.
  if (response.status === 401 && session && path !== '/api/auth/verify') {
    saveSession(null);
    route();
    throw new ApiError(401, `${detail}. Please log in again.`);
  }
  throw new ApiError(response.status, detail);
}

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

// crypto.subtle only exists on https or localhost; plain http on a LAN IP uses crypto.js.
async function deriveKey(password, origin, iterations) {
  if (!window.crypto || !window.crypto.subtle) {
    return window.StellarrCrypto.pbkdf2Hex(password, origin, iterations, 32);
  }
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode(origin), iterations }, key, 256);
  return hex(bits);
}

async function sha256Hex(text) {
  if (!window.crypto || !window.crypto.subtle) return window.StellarrCrypto.sha256Hex(text);
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function logIn(name, password) {
  const { iterations } = await api('GET', '/api/auth/params');
  const origin = window.location.origin;
  const derived = await deriveKey(password, origin, iterations);
  for (let attempt = 0; ; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const hash = await sha256Hex(`${derived}:${timestamp}`);
    try {
      return await api('POST', '/api/auth/verify', { origin, timestamp, hash, name });
    } catch (error) {
      // Each (timestamp, hash) works once; two logins in the same second need a new second.
      if (attempt > 0 || error.status !== 401 || !/already used/i.test(error.message)) throw error;
      await sleep(1100);
    }
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button');
  button.disabled = true;
  button.textContent = 'Logging in…';
  clearMessage();
  try {
    const result = await logIn($('login-name').value.trim(), $('login-password').value);
    saveSession({ token: result.token, name: result.name, role: result.role });
    $('login-password').value = '';
    // Back to where a deep link or a stale token sent us to log in, else search.
    if (wantedView() !== 'login' && VIEWS.includes(wantedView())) route();
    else location.hash = '#/search';
  } catch (error) {
    showMessage(error.message, 'error');
  } finally {
    button.disabled = false;
    button.textContent = 'Log in';
  }
});

$('logout').addEventListener('click', async () => {
  $('logout').disabled = true;
  await bell.forget(); // needs the token, so before it is dropped
  $('logout').disabled = false;
  saveSession(null);
  clearMessage();
  route();
});

function fromTemplate(id) {
  return $(id).content.firstElementChild.cloneNode(true);
}

function fillPoster(holder, path, title) {
  holder.textContent = '';
  const placeholder = () => {
    holder.textContent = title ? title.charAt(0).toUpperCase() : '?';
    holder.classList.add('empty');
  };
  if (!path) return placeholder();
  const img = document.createElement('img');
  img.src = POSTER_BASE + path;
  img.alt = `Poster: ${title}`;
  img.loading = 'lazy';
  img.addEventListener('error', () => { img.remove(); placeholder(); }); // offline or gone
  holder.append(img);
}

function badge(text, kind) {
  const span = document.createElement('span');
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

const titleLine = (item) => (item.year ? `${item.title} (${item.year})` : item.title);
const typeName = (mediaType) => (mediaType === 'tv' ? 'Show' : 'Movie');

async function runSearch(page) {
  const more = $('more');
  more.disabled = true;
  $('search-summary').textContent = page === 1 ? 'Searching…' : 'Loading more…';
  try {
    const data = await api('POST', '/api/search',
      { query: search.query, media_type: search.mediaType, page });
    if (page === 1) $('results').textContent = '';
    search.page = data.page;
    search.totalPages = data.total_pages;
    data.results.forEach((item) => $('results').append(renderResult(item)));
    const morePages = search.page < search.totalPages;
    $('search-summary').textContent = resultSummary($('results').children.length, morePages);
    more.hidden = !morePages;
  } catch (error) {
    $('search-summary').textContent = '';
    showMessage(error.message, 'error');
  } finally {
    more.disabled = false;
  }
}

// TMDB's total_results counts people too, and people are never shown: count the cards.
function resultSummary(shown, morePages) {
  if (!shown && !morePages) return 'No results.';
  const count = `${shown} result${shown === 1 ? '' : 's'}`;
  return morePages ? `Showing ${count} so far` : `Showing ${count}`;
}

function renderResult(item) {
  const card = fromTemplate('result-template');
  fillPoster(card.querySelector('.poster'), item.poster_path, item.title);
  card.querySelector('.title').textContent = titleLine(item);
  const meta = [typeName(item.media_type)];
  if (item.media_type === 'tv' && item.number_of_seasons) {
    meta.push(`${item.number_of_seasons} season${item.number_of_seasons === 1 ? '' : 's'}`);
  }
  if (typeof item.vote_average === 'number' && item.vote_average > 0) {
    meta.push(`★ ${item.vote_average.toFixed(1)}`);
  }
  card.querySelector('.meta').textContent = meta.join(' · ');
  card.querySelector('.overview').textContent = item.overview || '';
  const action = card.querySelector('.action');
  if (item.in_library) action.append(badge('In library', 'added'));
  else if (item.requested) action.append(badge('Requested', 'pending'));
  else action.append(requestButton(item, action));
  return card;
}

function requestButton(item, action) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Request';
  button.setAttribute('aria-label', `Request ${titleLine(item)}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const result = await api('POST', '/api/request', { tmdb_id: item.id, media_type: item.media_type });
      action.replaceChildren(badge('Requested', 'pending'));
      showMessage(result.message, 'success');
    } catch (error) {
      // Someone else got there first: the title is requested either way.
      if (error.status === 409) action.replaceChildren(badge('Requested', 'pending'));
      else button.disabled = false;
      showMessage(error.message, 'error');
    }
  });
  return button;
}

$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  search = {
    query: $('search-query').value.trim(), mediaType: $('search-type').value || null, page: 0, totalPages: 0,
  };
  if (!search.query) return;
  clearMessage();
  $('trending').hidden = true;
  runSearch(1);
});

// Clearing the search box brings the trending grid back.
$('search-query').addEventListener('input', () => {
  if ($('search-query').value.trim() || !search.query) return;
  search = { query: '', mediaType: null, page: 0, totalPages: 0 };
  $('results').textContent = '';
  $('search-summary').textContent = '';
  $('more').hidden = true;
  loadTrending();
});

// Public bytes prepared ahead of time (no TMDB call per visit, cacheable by anyone): the
// browser's language when it was warmed, else English.
async function trendingList() {
  const wanted = (navigator.language || TRENDING_FALLBACK).slice(0, 2).toLowerCase();
  for (const locale of new Set([wanted, TRENDING_FALLBACK])) {
    const response = await fetch(`/trending-all-${encodeURIComponent(locale)}.json`).catch(() => null);
    if (response && response.ok) return response.json();
  }
  return null;
}

// The lists are the same for everyone; what this household requested or already has
// comes from the private /api/library-status, merged here into the same badges as search.
async function loadTrending() {
  try {
    const [list, status] = await Promise.all([trendingList(), api('GET', '/api/library-status')]);
    if (search.query || !list || !Array.isArray(list.results) || !list.results.length) return;
    const key = (mediaType, id) => `${mediaType}:${id}`;
    const inLibrary = new Set(Object.entries(status.library)
      .flatMap(([mediaType, ids]) => ids.map((id) => key(mediaType, id))));
    const requested = new Set(status.requests.map((r) => key(r.media_type, r.tmdb_id)));
    $('trending-results').replaceChildren(...list.results.map((item) => renderResult({
      ...item,
      in_library: inLibrary.has(key(item.media_type, item.id)),
      requested: requested.has(key(item.media_type, item.id)),
    })));
    $('trending').hidden = false;
  } catch {
    // Trending is a nicety: search works without it (and api() handles a stale token).
  }
}

$('more').addEventListener('click', () => runSearch(search.page + 1));

async function loadRequests() {
  try {
    const data = await api('GET', '/api/requests');
    const items = data.requests.slice().sort((a, b) => b.requested_at.localeCompare(a.requested_at));
    $('requests').replaceChildren(...items.map(renderRequest));
    $('requests-empty').hidden = items.length > 0;
  } catch (error) {
    showMessage(error.message, 'error');
  }
}

// A <time> element: the visible date follows the browser's language, the attribute keeps
// the exact instant.
function dateElement(iso) {
  const when = new Date(iso);
  if (!iso || Number.isNaN(when.getTime())) return null;
  const element = document.createElement('time');
  element.dateTime = iso;
  element.textContent = when.toLocaleDateString(undefined, { dateStyle: 'medium' });
  return element;
}

function renderRequest(item) {
  const row = fromTemplate('request-template');
  fillPoster(row.querySelector('.poster'), item.poster_path, item.title);
  row.querySelector('.title').textContent = titleLine(item);
  const meta = row.querySelector('.meta');
  const added = item.status === 'added';
  meta.append(badge(added ? 'Added' : 'Pending', added ? 'added' : 'pending'), ` ${typeName(item.media_type)}`);
  const addedOn = added ? dateElement(item.added_at) : null;
  if (addedOn) meta.append(' · added on ', addedOn);
  const who = row.querySelector('.who');
  who.textContent = `Requested by ${item.requested_by}`;
  const requestedOn = dateElement(item.requested_at);
  if (requestedOn) who.append(' on ', requestedOn);
  if (session && (session.role === 'admin' || session.name === item.requested_by)) {
    const action = row.querySelector('.action');
    action.append(removeButton(item, action));
  }
  return row;
}

function button(text, className, label) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = text;
  element.setAttribute('aria-label', label);
  return element;
}

// Remove takes the title out of the Radarr/Sonarr feeds at once and is easy to tap by
// mistake on a phone, so it asks first: in the page, since confirm() blocks the whole tab.
function removeButton(item, action) {
  const title = titleLine(item);
  const remove = button('Remove', 'danger', `Remove ${title}`);
  remove.addEventListener('click', () => {
    const ask = document.createElement('div');
    ask.className = 'confirm';
    ask.setAttribute('role', 'group');
    ask.setAttribute('aria-label', `Remove ${title}?`);
    const question = document.createElement('span');
    question.textContent = 'Remove?';
    const yes = button('Yes, remove', 'danger', `Yes, remove ${title}`);
    const keep = button('Keep', 'secondary', `Keep ${title}`);
    keep.addEventListener('click', () => {
      action.replaceChildren(remove);
      remove.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = keep.disabled = true;
      try {
        const result = await api('DELETE', `/api/request/${encodeURIComponent(item.media_type)}/${encodeURIComponent(item.tmdb_id)}`);
        showMessage(result.message, 'success');
        await loadRequests();
      } catch (error) {
        action.replaceChildren(remove);
        showMessage(error.message, 'error');
      }
    });
    ask.append(question, yes, keep);
    action.replaceChildren(ask);
    keep.focus(); // Enter or Space right after clicking Remove must not remove
  });
  return remove;
}

async function loadFeeds() {
  try {
    const data = await api('GET', '/api/feeds');
    // Admins get URLs with the real token in them; everyone else gets a placeholder.
    const admin = session && session.role === 'admin';
    $('feeds-token').hidden = !data.token_required || admin;
    $('feeds-token-admin').hidden = !data.token_required || !admin;
    $('feeds').replaceChildren(...Object.entries(data.feeds).map(([key, feed]) => renderFeed(key, feed)));
  } catch (error) {
    showMessage(error.message, 'error');
  }
}

function renderFeed(key, feed) {
  const item = fromTemplate('feed-template');
  item.querySelector('.title').textContent = feed.name;
  item.querySelector('.description').textContent = `${feed.description} (${feed.format.toUpperCase()})`;
  const input = item.querySelector('.url');
  const label = item.querySelector('label');
  input.id = `feed-${key}`;
  input.value = feed.url;
  label.htmlFor = input.id;
  label.textContent = `${feed.name} URL`;
  const copy = item.querySelector('.copy');
  copy.setAttribute('aria-label', `Copy ${feed.name} URL`);
  copy.addEventListener('click', () => copyText(input));
  item.querySelector('.setup').textContent = feed.setup;
  return item;
}

async function copyText(input) {
  try {
    // The Clipboard API is secure-context only too; the selection trick works on plain http.
    if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(input.value);
    else {
      input.select();
      if (!document.execCommand('copy')) throw new Error('copy refused');
    }
    showMessage('Copied to clipboard.', 'success');
  } catch {
    input.select();
    showMessage('Could not copy; the URL is selected, copy it by hand.', 'error');
  }
}

const bell = window.StellarrPush.createBell($('push-toggle'), $('push-note'), { api, showMessage });
let bellChecked = null; // the token the bell's state was last read with

function route() {
  const wanted = wantedView();
  const view = !session ? 'login' : VIEWS.includes(wanted) && wanted !== 'login' ? wanted : 'search';
  VIEWS.forEach((name) => { $(`view-${name}`).hidden = name !== view; });
  $('nav').hidden = $('account').hidden = !session;
  $('whoami').textContent = session ? `${session.name}${session.role === 'admin' ? ' (admin)' : ''}` : '';
  document.querySelectorAll('#nav a').forEach((link) => {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (session && bellChecked !== session.token) {
    bellChecked = session.token;
    bell.refresh();
  }
  if (view === 'login') $('login-name').focus();
  if (view === 'requests') loadRequests();
  if (view === 'feeds') loadFeeds();
  if (view === 'search' && !search.query) {
    $('search-query').focus();
    loadTrending();
  }
}

window.addEventListener('hashchange', () => { clearMessage(); route(); });
// Logging in or out in another tab applies here too.
window.addEventListener('storage', (event) => {
  if (event.key === SESSION_KEY || event.key === null) { session = loadSession(); route(); }
});
route();
