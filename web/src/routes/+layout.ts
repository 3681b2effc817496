// A client-only SPA: the Python server answers every non-API path with index.html, so
// nothing is rendered or prerendered at build time.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
