/*
 * The editors' page: check a claim (POST v1/check) or review a draft (POST v1/review), and
 * show a passage in its source (GET v1/sources/{id}) at #source=<id>&start=<n>&end=<n>.
 * Rendering is render.js's (shared with the browser extension).
 */
(function () {
  "use strict";

  var KEY_STORAGE = "factcheck.apiKey";
  // The API is this page's own service; relative URLs keep it working under a path prefix.
  var BASE = new URL(".", document.baseURI).href;

  var $ = function (id) {
    return document.getElementById(id);
  };
  var claim = $("claim");
  var draft = $("draft");
  var asOf = $("as-of");
  var apiKey = $("api-key");
  var settings = $("settings");
  var status = $("status");
  var results = $("results");
  var checkView = $("check-view");
  var sourceView = $("source-view");
  var sourceBox = $("source");
  var pending = null;
  var sources = new Map();
  var cameFromResults = false;
  var lastLink = null;

  function storedKey() {
    try {
      return localStorage.getItem(KEY_STORAGE) || "";
    } catch (error) {
      return "";
    }
  }

  /** Announce `message`; `quiet` keeps it for screen readers only (the result shows it). */
  function say(message, isError, quiet) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
    status.classList.toggle("fc-visually-hidden", Boolean(quiet));
  }

  function options() {
    var body = {};
    if (asOf.value) body.as_of = asOf.value;
    return body;
  }

  function sourceLink(item) {
    return { href: FactCheck.sourceHash(item) };
  }

  function showError(error) {
    results.replaceChildren();
    results.removeAttribute("aria-busy");
    say(error.message, true);
    if (error.status === 401) {
      settings.open = true;
      apiKey.focus();
    }
  }

  /** POST `body` to `path`; only the latest request's answer is shown. */
  async function call(path, body, render) {
    if (pending) pending.abort();
    var controller = new AbortController();
    pending = controller;
    results.setAttribute("aria-busy", "true");
    say(path === "v1/review" ? "Reviewing the draft…" : "Checking…");
    try {
      var answer = await FactCheck.request({
        base: BASE,
        path: path,
        body: body,
        key: storedKey(),
        signal: controller.signal,
      });
      if (pending !== controller) return;
      results.replaceChildren(render(answer));
      results.removeAttribute("aria-busy");
    } catch (error) {
      if (error.name === "AbortError") return;
      showError(error);
    } finally {
      if (pending === controller) pending = null;
    }
  }

  function checkClaim() {
    var text = claim.value.trim();
    if (!text) {
      say("Type a claim to check.", true);
      claim.focus();
      return;
    }
    var body = Object.assign({ claim: text }, options());
    call("v1/check", body, function (result) {
      say(FactCheck.checkSummary(result), false, true);
      return FactCheck.renderCheck(result, { headingLevel: 2, sourceLink: sourceLink });
    });
  }

  function reviewDraft() {
    var text = draft.value;
    if (!text.trim()) {
      say("Paste a draft to review.", true);
      draft.focus();
      return;
    }
    var body = Object.assign({ text: text }, options());
    call("v1/review", body, function (review) {
      say(FactCheck.reviewSummary(review), false, true);
      return FactCheck.renderReview(review, { headingLevel: 2, sourceLink: sourceLink, text: text });
    });
  }

  $("claim-form").addEventListener("submit", function (event) {
    event.preventDefault();
    checkClaim();
  });
  $("draft-form").addEventListener("submit", function (event) {
    event.preventDefault();
    reviewDraft();
  });
  claim.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      checkClaim();
    }
  });
  draft.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing) {
      event.preventDefault();
      reviewDraft();
    }
  });

  apiKey.value = storedKey();
  $("key-form").addEventListener("submit", function (event) {
    event.preventDefault();
    try {
      if (apiKey.value.trim()) localStorage.setItem(KEY_STORAGE, apiKey.value.trim());
      else localStorage.removeItem(KEY_STORAGE);
      say(apiKey.value.trim() ? "API key saved in this browser." : "API key removed.");
    } catch (error) {
      say("This browser does not let the page store the key.", true);
    }
  });
  $("forget-key").addEventListener("click", function () {
    apiKey.value = "";
    try {
      localStorage.removeItem(KEY_STORAGE);
    } catch (error) {
      // nothing stored, nothing to forget
    }
    say("API key removed.");
  });

  // ---- The source view (#source=<id>&start=<n>&end=<n>) ------------------------------

  async function showSource(target) {
    checkView.hidden = true;
    sourceView.hidden = false;
    sourceBox.replaceChildren(FactCheck.el("p", { class: "fc-muted" }, "Loading the source…"));
    try {
      var source = sources.get(target.id);
      if (!source) {
        source = await FactCheck.request({
          base: BASE,
          path: "v1/sources/" + encodeURIComponent(target.id),
          key: storedKey(),
        });
        sources.set(target.id, source);
      }
      sourceBox.replaceChildren(
        FactCheck.renderSource(source, target.start, target.end, { headingLevel: 2 }),
      );
      document.title = "Source " + source.id + " — Fact-check";
      var passage = $("fc-passage");
      if (passage) {
        passage.scrollIntoView({ block: "center" });
        passage.focus({ preventScroll: true });
      } else {
        $("back").focus();
      }
    } catch (error) {
      sourceBox.replaceChildren(FactCheck.el("p", { class: "error", role: "alert" }, error.message));
      $("back").focus();
    }
  }

  function showResults() {
    sourceView.hidden = true;
    checkView.hidden = false;
    document.title = "Fact-check";
  }

  function route() {
    var target = FactCheck.parseSourceHash(location.hash);
    if (target) {
      showSource(target);
    } else if (!sourceView.hidden) {
      showResults();
      if (lastLink && results.contains(lastLink)) lastLink.focus();
    }
  }

  results.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".fc-source-link") : null;
    if (link) {
      cameFromResults = true;
      lastLink = link;
    }
  });
  $("back").addEventListener("click", function () {
    if (cameFromResults) {
      cameFromResults = false;
      history.back();
    } else {
      history.pushState(null, "", location.pathname + location.search);
      route();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !sourceView.hidden) $("back").click();
  });
  window.addEventListener("hashchange", route);
  route();
})();
