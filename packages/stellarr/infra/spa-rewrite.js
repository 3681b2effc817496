// CloudFront Function (cloudfront-js-2.0), on viewer request of the default behaviour only:
// a path whose last segment has no file extension is one of the web app's own routes
// (/requests, /title/movie/603), so the bucket's /index.html answers it and the app routes
// in the browser. Files (/_app/immutable/x.js, /manifest.webmanifest) go through as asked.
// The API, the feeds, the webhooks and the trending lists have behaviours of their own and
// never come here, so their 403 and 404 answers stay theirs.
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
        request.uri = '/index.html';
    }
    return request;
}
