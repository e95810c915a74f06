// Starts Swagger UI on /docs (no inline script: the page's Content-Security-Policy forbids it).
// "Try it out" calls the server that served this page, whatever DOCGEN_BASE_URL the spec names,
// so a call works from any address the service is reached at.
(function () {
  var root = document.getElementById("swagger-ui");
  fetch(root.dataset.specUrl, { headers: { Accept: "application/json" } })
    .then(function (answer) { return answer.json(); })
    .then(function (spec) {
      spec.servers = [{ url: window.location.origin, description: "this server" }];
      window.ui = SwaggerUIBundle({
        spec: spec,
        domNode: root,
        deepLinking: true,
        persistAuthorization: false,
        tryItOutEnabled: false,
        displayRequestDuration: true,
        defaultModelsExpandDepth: 0,
      });
    });
})();
