/*
 * A source's text with the passage highlighted: source.html#source=<id>&start=<n>&end=<n>,
 * fetched from GET /v1/sources/{id} of the configured service.
 */
(function () {
  "use strict";

  var box = document.getElementById("source");

  async function load() {
    var target = FactCheck.parseSourceHash(location.hash);
    if (!target) {
      box.replaceChildren(FactCheck.el("p", { class: "error" }, "No source was named."));
      return;
    }
    var configured = await chrome.storage.local.get({
      serviceUrl: "http://127.0.0.1:8000",
      apiKey: "",
    });
    try {
      var source = await FactCheck.request({
        base: configured.serviceUrl,
        key: configured.apiKey,
        path: "v1/sources/" + encodeURIComponent(target.id),
      });
      box.replaceChildren(
        FactCheck.renderSource(source, target.start, target.end, { headingLevel: 1 }),
      );
      document.title = (source.title || source.publisher || source.id) + " — Fact-check";
      var passage = document.getElementById("fc-passage");
      if (passage) {
        passage.scrollIntoView({ block: "center" });
        passage.focus({ preventScroll: true });
      }
    } catch (error) {
      box.replaceChildren(FactCheck.el("p", { class: "error", role: "alert" }, error.message));
    }
  }

  window.addEventListener("hashchange", load);
  load();
})();
