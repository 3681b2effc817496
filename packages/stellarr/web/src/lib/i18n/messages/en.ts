// English: the default and the fallback, bundled with the app. Its keys are the catalogue's
// keys; every other language must have exactly these (types.ts).
import { defineEnglish } from '../types';

const en = defineEnglish({
	common: {
		appName: 'Stellarr',
		skipToContent: 'Skip to content',
		navMain: 'Main',
		navDiscover: 'Discover',
		navRequests: 'Requests',
		navFeeds: 'Feeds',
		menu: 'More',
		language: 'Language',
		logout: 'Log out',
		loading: 'Loading…',
		retry: 'Try again',
		close: 'Close',
		cancel: 'Cancel',
		sessionExpired: 'Your session has ended. Please log in again.',
		notFound: 'Page not found.',
		offlineTitle: 'You are offline.',
		offlineBody: 'Stellarr opened from what this device keeps; searching and requesting work again once the connection is back.',
		unreachableTitle: 'Can’t reach Stellarr.',
		unreachableBody: 'Showing what this device saved; searching and requesting work again once the server answers.',
		items: {
			one: '{count} item',
			other: '{count} items'
		}
	},
	// Discover/search (routes/+page.svelte) and the cards, badges and request button that the
	// title and requests pages reuse.
	discover: {
		heading: 'Discover',
		searchLabel: 'Search movies and shows',
		searchPlaceholder: 'Type a title…',
		searchHint: 'Results appear as you type.',
		filterLabel: 'Show',
		filterAll: 'All',
		filterMovie: 'Movies',
		filterTv: 'TV',
		trending: 'Trending this week',
		trendingUnavailable: 'Trending titles are not available right now.',
		results: 'Results',
		searching: 'Searching…',
		loadingMore: 'Loading more…',
		resultCount: {
			one: '{count} result',
			other: '{count} results'
		},
		resultCountAbout: {
			one: 'About {count} result',
			other: 'About {count} results'
		},
		resultCountMore: {
			one: '{count} result so far',
			other: '{count} results so far'
		},
		noResults: 'Nothing found for “{query}”.',
		noResultsHint: 'Check the spelling or try fewer words. Meanwhile, here is what is trending.',
		pagination: 'Result pages',
		previous: 'Previous',
		next: 'Next',
		pageOf: 'Page {page} of {total}',
		endOfResults: 'No more results.',
		movie: 'Movie',
		tv: 'Show',
		seasons: {
			one: '{count} season',
			other: '{count} seasons'
		},
		rating: 'Rated {rating} out of 10',
		posterAlt: 'Poster of {title}',
		noPoster: 'No poster',
		requested: 'Requested',
		inLibrary: 'In library',
		request: 'Request',
		requestTitle: 'Request {title}',
		requesting: 'Requesting…',
		requestDone: 'Added {title} to requests',
		requestAlready: '{title} was already requested',
		requestFailed: 'Could not request {title}: {reason}'
	},
	// The Requests page, its filters, rows and remove confirmation.
	requests: {
		heading: 'Requests',
		intro: 'Everything this household asked for. Pending titles are in the Radarr and Sonarr feeds.',
		filters: 'Filter requests',
		media: 'Type',
		mediaAll: 'All',
		mediaMovie: 'Movies',
		mediaTv: 'TV',
		status: 'Status',
		statusAll: 'All',
		statusPending: 'Pending',
		statusAdded: 'Added',
		// One request's badge (the filter labels above may be plural).
		badgePending: 'Pending',
		badgeAdded: 'Added',
		sort: 'Sort by',
		sortNewest: 'Newest first',
		sortOldest: 'Oldest first',
		sortTitle: 'Title (A–Z)',
		showing: {
			zero: 'No requests',
			one: '{count} request',
			other: '{count} requests'
		},
		empty: 'Nothing requested yet.',
		whose: 'Whose',
		whoseMine: 'Mine',
		whoseAll: 'Everyone’s',
		searchLabel: 'Search requests',
		searchPlaceholder: 'A title or a year…',
		emptyDiscover: 'Find something to request on Discover',
		emptyFiltered: 'No requests match these filters.',
		clearFilters: 'Show all requests',
		movie: 'Movie',
		tv: 'TV show',
		requestedBy: 'Requested by {name} on {date}',
		addedOn: 'Added on {date}',
		warnNoImdb: 'No IMDb id: the StevenLu list (/list/radarr) leaves this movie out. Use the TMDB list (/list/radarr/tmdb) in Radarr.',
		warnNoTvdb: 'No TVDB id: older Sonarr versions skip this show.',
		warning: 'Warning',
		remove: 'Remove',
		removeLabel: 'Remove {title}',
		confirmTitle: 'Remove {title}?',
		confirmBody: 'It leaves the Radarr and Sonarr feeds at once.',
		confirmYes: 'Yes, remove',
		confirmKeep: 'Keep',
		removed: 'Removed {title}.',
		removeForbidden: 'Only the person who asked for it or an admin can remove this request.',
		removeGone: 'This request was already removed.',
		pages: 'Pages',
		previous: 'Previous page',
		next: 'Next page',
		loadFailed: 'Could not load the requests: {error}'
	},
	// The title page (routes/title/[type]/[id]).
	title: {
		heading: 'Title',
		loading: 'Loading the title…',
		notFound: 'This title was not found.',
		notFoundHint: 'Search for it on Discover',
		unavailable: 'This title could not be loaded',
		back: 'Back to Discover',
		backToResults: 'Back to the results',
		backToRequests: 'Back to Requests',
		backPrevious: 'Back',
		details: 'Details',
		overview: 'Overview',
		noOverview: 'No overview yet.',
		year: 'Year',
		runtime: 'Runtime',
		runtimeMinutes: '{minutes} min',
		runtimeHours: '{hours} h {minutes} min',
		runtimeWholeHours: '{hours} h',
		rating: 'Rating',
		originalTitle: 'Original title',
		genres: 'Genres',
		seasons: 'Seasons',
		seasonCount: {
			one: '{count} season',
			other: '{count} seasons'
		},
		episodeCount: {
			one: '{count} episode',
			other: '{count} episodes'
		},
		seasonNumber: 'Season {number}',
		specials: 'Specials',
		episodesUnknown: 'Episodes unknown',
		cast: 'Top cast',
		moreLikeThis: 'More like this',
		asCharacter: 'as {character}',
		trailer: 'Watch the trailer',
		trailerOn: '{name} (YouTube, opens in a new tab)',
		status: 'Status',
		statusPending: 'Requested, waiting to be added',
		statusAdded: 'Added',
		statusNone: 'Not requested yet',
		requestedBy: 'Requested by {name} on {date}',
		addedOn: 'Added on {date}',
		backdropAlt: 'Backdrop of {title}'
	},
	// The login page (routes/login).
	login: {
		heading: 'Log in',
		intro: 'Use the password your household shares. Your name shows on the titles you request.',
		name: 'Your name',
		password: 'Password',
		submit: 'Log in',
		submitting: 'Logging in…',
		failed: 'Could not log in: {reason}'
	},
	// The feeds dialog. The feed names, descriptions and set-up lines mirror what /api/feeds
	// sends in English (services/feeds.py), keyed by the feed's key; a feed the client does not
	// know yet shows the server's English text.
	feeds: {
		heading: 'Feeds',
		title: 'Feeds for Radarr and Sonarr',
		intro: 'Point Radarr and Sonarr at these URLs to import pending requests. Added titles leave the lists by themselves.',
		tokenAdmin: 'These URLs include the feed token: give them only to Radarr and Sonarr.',
		urlLabel: '{name} URL',
		copy: 'Copy',
		copyLabel: 'Copy {name} URL',
		copied: 'Copied',
		copiedAnnounce: '{name} URL copied to the clipboard.',
		copyFailed: 'Could not copy; the URL is selected, copy it by hand.',
		setupLabel: 'Set-up:',
		loadFailed: 'Could not load the feeds: {error}',
		name_radarr: 'Radarr (StevenLu Custom)',
		name_radarr_tmdb: 'Radarr (Custom Lists, TMDB ids)',
		name_sonarr: 'Sonarr (Custom List)',
		name_rss_movies: 'RSS: movies',
		name_rss_tv: 'RSS: shows',
		name_rss_all: 'RSS: everything',
		desc_radarr: 'Pending movie requests by IMDb id; movies without one are left out.',
		desc_radarr_tmdb: 'Every pending movie request by TMDB id.',
		desc_sonarr: 'Every pending show request with its TVDB, TMDB and IMDb ids.',
		desc_rss_movies: 'Pending movie requests as RSS 2.0.',
		desc_rss_tv: 'Pending show requests as RSS 2.0.',
		desc_rss_all: 'All pending requests as RSS 2.0.',
		setup_radarr: 'Radarr → Settings → Import Lists → + → StevenLu Custom; paste the URL.',
		setup_radarr_tmdb: 'Radarr → Settings → Import Lists → + → Custom Lists; paste the URL.',
		setup_sonarr: 'Sonarr → Settings → Import Lists → + → Custom List; paste the URL.',
		setup_rss_movies: 'Radarr → Import Lists → RSS List; paste the URL.',
		setup_rss_tv: 'Any RSS reader; Sonarr’s RSS list needs TVDB links, prefer /list/sonarr.',
		setup_rss_all: 'Any RSS reader.',
		name_sonarr_all: 'Sonarr: all seasons',
		name_sonarr_first: 'Sonarr: first season',
		name_sonarr_latest: 'Sonarr: latest season',
		name_sonarr_future: 'Sonarr: future episodes',
		desc_sonarr_all: 'Pending shows requested whole.',
		desc_sonarr_first: 'Pending shows requested for their first season.',
		desc_sonarr_latest: 'Pending shows requested for their latest season.',
		desc_sonarr_future: 'Pending shows requested for future episodes.',
		setup_sonarr_all: 'Sonarr → Settings → Import Lists → + → Custom List; paste the URL; Monitor: All Episodes.',
		setup_sonarr_first: 'Sonarr → Settings → Import Lists → + → Custom List; paste the URL; Monitor: First Season.',
		setup_sonarr_latest: 'Sonarr → Settings → Import Lists → + → Custom List; paste the URL; Monitor: Last Season.',
		setup_sonarr_future: 'Sonarr → Settings → Import Lists → + → Custom List; paste the URL; Monitor: Future Episodes.',
		seasonsNote: 'Each Sonarr list is added separately, with the Monitor option its set-up line names: a show is on exactly one of them.',
		syncNote: 'Radarr and Sonarr read the lists on their own schedule: new requests arrive at their next sync.',
		membersIntro: 'Requests reach Radarr and Sonarr through lists your admin has set up; there is nothing for you to configure.'
	},
	// Which seasons of a show a request asks for (where the admin offers the choice).
	seasons: {
		question: 'Which seasons of {title}?',
		label: 'Seasons',
		all: 'All seasons',
		first: 'First season',
		latest: 'Latest season',
		future: 'Future episodes',
		hint: 'The first request for a show decides for everyone; an admin can change it while it waits.',
		changeLabel: 'Seasons of {title}',
		changed: '{title}: {choice}.',
		changeFailed: 'Could not change the seasons of {title}: {reason}'
	},
	// What happens to a request (the Feeds page and Requests, for members).
	how: {
		summary: 'How requests work',
		step1: 'Find a title on Discover and press Request.',
		step2: 'Radarr (movies) or Sonarr (shows) picks it up from Stellarr at its next sync and fetches it.',
		step3: 'Once it is in the library it shows as Added, and with notifications on you hear about it.'
	},
	// The header bell (web push) and what it says.
	push: {
		heading: 'Notifications',
		bell: 'Notifications',
		titleOn: 'Notifications are on for this browser',
		titleOff: 'Get notified when requests are added',
		turnedOn: 'Notifications are on for this browser.',
		turnedOff: 'Notifications are off for this browser.',
		notSetUp: 'Notifications are not set up on this Stellarr server yet.',
		blocked: 'Notifications are blocked for this site; allow them in the browser settings.',
		notAllowed: 'Notifications were not allowed, so they stay off.',
		iosHint: 'To get notifications on an iPhone or iPad, add Stellarr to the Home Screen first (Share, then Add to Home Screen) and open it from there.',
		insecure: 'Notifications need Stellarr on https (or localhost); this page is plain http.',
		unsupported: 'This browser does not support push notifications.',
		checkFailed: 'Could not check notifications: {detail}',
		changeFailed: 'Could not change notifications.',
		timedOut: 'This browser\'s push service did not answer in time; try again later.',
		refused: 'This browser\'s push service refused to register it; check that notifications are allowed for this site.',
		serviceUnreachable: 'This browser could not reach its push service; check the connection and try again.',
		changeFailedBecause: 'Could not change notifications: {detail}'
	},
	// What went wrong, told in the user's language. The page picks one from the HTTP status and
	// what it was doing (lib/api/problems.ts); the server's own `detail` is English and for logs.
	errors: {
		network: 'Cannot reach Stellarr; check your connection and try again.',
		wrongPassword: 'Wrong password. Check it and try again.',
		clockSkew: 'This device’s clock is wrong. Set it to the right time and try again.',
		nameMention: 'That name would notify everyone in a group chat, like @here or @everyone. Choose another name.',
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
	}
});

export default en;
export type English = typeof en;
