/*
 * The extension's service worker: the context menu items, the calls to the service, and the
 * latest result (kept in chrome.storage.session, where the popup and side panel read it).
 *
 * "Fact-check selection" sends the selected text to POST /v1/check (a selection longer than
 * a claim may be, 1000 characters, is reviewed instead); "Review this page" sends the page's
 * text to POST /v1/review. The service URL and API key come from the options page
 * (chrome.storage.local); the key is sent as X-API-Key, as openapi.yaml documents.
 */
importScripts("render.js");

var MENU_SELECTION = "factcheck-selection";
var MENU_PAGE = "factcheck-page";
var DEFAULT_SERVICE = "http://127.0.0.1:8000";
var MAX_CLAIM_CHARS = 1000;
var MAX_REVIEW_CHARS = 100000; // the service's default FACTCHECK_MAX_REVIEW_CHARS
var BADGES = {
  supported: { text: "✓", color: "#1a7f37" },
  refuted: { text: "✗", color: "#c62828" },
  conflicting: { text: "±", color: "#8a5a00" },
  not_enough_info: { text: "?", color: "#59636e" },
};

async function settings() {
  return chrome.storage.local.get({ serviceUrl: DEFAULT_SERVICE, apiKey: "" });
}

function createMenus() {
  chrome.contextMenus.removeAll(function () {
    chrome.contextMenus.create({
      id: MENU_SELECTION,
      title: "Fact-check selection",
      contexts: ["selection"],
    });
    chrome.contextMenus.create({ id: MENU_PAGE, title: "Review this page", contexts: ["page"] });
  });
}

function badge(text, color) {
  chrome.action.setBadgeText({ text: text }).catch(function () {});
  if (color) chrome.action.setBadgeBackgroundColor({ color: color }).catch(function () {});
}

function resultBadge(latest) {
  if (latest.status === "error") return badge("!", "#c62828");
  if (latest.kind === "check") {
    var shown = BADGES[latest.result.verdict] || BADGES.not_enough_info;
    return badge(shown.text, shown.color);
  }
  var counts = latest.result.counts || {};
  var disputed = (counts.refuted || 0) + (counts.conflicting || 0);
  if (disputed) return badge(String(disputed), BADGES.refuted.color);
  if (counts.supported) return badge(BADGES.supported.text, BADGES.supported.color);
  return badge(BADGES.not_enough_info.text, BADGES.not_enough_info.color);
}

/**
 * Check a claim ("check") or review a text ("review") taken `from` a "selection", a "page"
 * or the "popup"; the state goes to chrome.storage.session as `latest`: pending, then done
 * (with `result`) or error.
 */
async function run(kind, input, tab, from, note) {
  var configured = await settings();
  var latest = {
    kind: kind,
    from: from,
    status: "pending",
    input: input,
    note: note || null,
    page: tab ? { url: tab.url || null, title: tab.title || null } : null,
    service: configured.serviceUrl,
    at: Date.now(),
  };
  await chrome.storage.session.set({ latest: latest });
  badge("…", "#59636e");
  try {
    latest.result = await FactCheck.request({
      base: configured.serviceUrl,
      key: configured.apiKey,
      path: kind === "check" ? "v1/check" : "v1/review",
      body: kind === "check" ? { claim: input } : { text: input },
    });
    latest.status = "done";
  } catch (error) {
    latest.status = "error";
    latest.error = error && error.message ? error.message : String(error);
    latest.errorStatus = error && typeof error.status === "number" ? error.status : null;
  }
  await chrome.storage.session.set({ latest: latest });
  resultBadge(latest);
  return latest;
}

async function fail(message, tab, from) {
  var latest = {
    kind: "check",
    from: from,
    status: "error",
    error: message,
    errorStatus: null,
    page: tab ? { url: tab.url || null, title: tab.title || null } : null,
    at: Date.now(),
  };
  await chrome.storage.session.set({ latest: latest });
  badge("!", "#c62828");
  return latest;
}

/** Runs `func` in the tab's page and returns its result (activeTab grants the access). */
async function inTab(tab, func) {
  var injections = await chrome.scripting.executeScript({ target: { tabId: tab.id }, func: func });
  return injections && injections[0] ? injections[0].result : null;
}

// These two run in the page, not here.
function selectedText() {
  return String(window.getSelection ? window.getSelection() : "");
}

function pageText() {
  var articles = document.querySelectorAll("article");
  var root = articles.length === 1 ? articles[0] : document.querySelector("main") || document.body;
  return root ? root.innerText : "";
}

async function checkSelection(info, tab) {
  var text = (info && info.selectionText) || "";
  if (!text.trim() && tab) {
    try {
      text = (await inTab(tab, selectedText)) || "";
    } catch (error) {
      return fail("This page cannot be read by extensions.", tab, "selection");
    }
  }
  text = text.replace(/\s+/g, " ").trim();
  if (!text) return fail("Select the text of a claim first.", tab, "selection");
  if (Array.from(text).length > MAX_CLAIM_CHARS) {
    var note = "The selection is longer than a claim: it was reviewed.";
    return run("review", text, tab, "selection", note);
  }
  return run("check", text, tab, "selection");
}

async function reviewPage(tab) {
  var text;
  try {
    text = (await inTab(tab, pageText)) || "";
  } catch (error) {
    return fail("This page cannot be read by extensions.", tab, "page");
  }
  if (!text.trim()) return fail("This page has no text to review.", tab, "page");
  var chars = Array.from(text);
  var note = null;
  if (chars.length > MAX_REVIEW_CHARS) {
    text = chars.slice(0, MAX_REVIEW_CHARS).join("");
    note = "Only the first " + MAX_REVIEW_CHARS.toLocaleString("en-US") + " characters were reviewed.";
  }
  return run("review", text, tab, "page", note);
}

/** What the context menu does; also callable from tests (see tests/ops/test_e2e_extension.py). */
function handleMenuClick(info, tab) {
  // Opening the side panel needs the click's user gesture: before anything is awaited.
  if (chrome.sidePanel && tab && typeof tab.windowId === "number") {
    chrome.sidePanel.open({ windowId: tab.windowId }).catch(function () {});
  }
  if (info.menuItemId === MENU_SELECTION) return checkSelection(info, tab);
  if (info.menuItemId === MENU_PAGE) return reviewPage(tab);
  return Promise.resolve(null);
}

chrome.runtime.onInstalled.addListener(createMenus);
chrome.contextMenus.onClicked.addListener(handleMenuClick);

// The popup's own claim box.
chrome.runtime.onMessage.addListener(function (message, sender, sendResponse) {
  if (sender.id !== chrome.runtime.id || !message || message.type !== "check") return false;
  var claim = typeof message.claim === "string" ? message.claim.trim() : "";
  if (!claim) return false;
  run("check", claim, null, "popup").then(sendResponse);
  return true;
});

self.factCheckExtension = {
  MENU_SELECTION: MENU_SELECTION,
  MENU_PAGE: MENU_PAGE,
  handleMenuClick: handleMenuClick,
  checkSelection: checkSelection,
  reviewPage: reviewPage,
  run: run,
};
