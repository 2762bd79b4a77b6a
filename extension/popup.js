/*
 * The popup and side panel: the latest result (chrome.storage.session "latest", written by
 * background.js), drawn by render.js like the service's own page, and kept up to date.
 */
(function () {
  "use strict";

  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var context = document.getElementById("context");
  var help = document.getElementById("help");
  var claim = document.getElementById("claim");
  var shownAt = null;

  function sourceLink(item) {
    return { href: "source.html" + FactCheck.sourceHash(item), target: "_blank" };
  }

  function describe(latest) {
    var page = latest.page ? latest.page.title || latest.page.url : null;
    if (latest.from === "page") return "Review of the page “" + page + "”";
    if (latest.from === "selection") return "Selection on “" + page + "”";
    return "Claim typed here";
  }

  function show(latest) {
    status.classList.remove("error", "fc-visually-hidden");
    if (!latest) {
      results.replaceChildren();
      status.textContent = "";
      context.textContent = "";
      help.hidden = false;
      return;
    }
    help.hidden = true;
    context.textContent =
      describe(latest) +
      (latest.service ? " · " + latest.service : "") +
      (latest.note ? ". " + latest.note : "");
    if (latest.status === "pending") {
      shownAt = null;
      results.replaceChildren();
      results.setAttribute("aria-busy", "true");
      status.textContent = latest.kind === "review" ? "Reviewing…" : "Checking…";
      return;
    }
    results.removeAttribute("aria-busy");
    if (latest.status === "error") {
      shownAt = null;
      results.replaceChildren();
      status.classList.add("error");
      status.textContent = latest.error;
      if (latest.errorStatus === 401 || latest.errorStatus === 0) {
        status.append(" ", optionsButton("Check the options"));
      }
      return;
    }
    if (shownAt === latest.at) return;
    shownAt = latest.at;
    var options = { headingLevel: 2, sourceLink: sourceLink };
    if (latest.kind === "review") {
      options.text = latest.input;
      status.textContent = FactCheck.reviewSummary(latest.result);
      status.classList.add("fc-visually-hidden"); // the result shows it; for screen readers
      results.replaceChildren(FactCheck.renderReview(latest.result, options));
    } else {
      status.textContent = FactCheck.checkSummary(latest.result);
      status.classList.add("fc-visually-hidden");
      results.replaceChildren(FactCheck.renderCheck(latest.result, options));
    }
  }

  function optionsButton(label) {
    var button = FactCheck.el("button", { type: "button", class: "link" }, label);
    button.addEventListener("click", function () {
      chrome.runtime.openOptionsPage();
    });
    return button;
  }

  document.getElementById("open-options").addEventListener("click", function () {
    chrome.runtime.openOptionsPage();
  });
  document.getElementById("claim-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = claim.value.trim();
    if (!text) {
      status.textContent = "Type a claim to check.";
      claim.focus();
      return;
    }
    chrome.runtime.sendMessage({ type: "check", claim: text });
  });

  chrome.storage.onChanged.addListener(function (changes, area) {
    if (area === "session" && changes.latest) show(changes.latest.newValue);
  });
  chrome.storage.session.get("latest").then(function (stored) {
    show(stored.latest);
  });
})();
