// Starts Swagger UI on /api/docs. A file rather than an inline script, so the page's CSP
// can allow scripts from this origin only.
(function () {
  'use strict';

  window.ui = window.SwaggerUIBundle({
    url: document.getElementById('swagger-ui').dataset.openapiUrl,
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default sends the spec's URL to validator.swagger.io: an outside call, and
    // offline a broken badge.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
