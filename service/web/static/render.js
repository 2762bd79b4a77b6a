/*
 * Fact-check results as DOM nodes, and a small client for the service's JSON API.
 *
 * Shared by the service's page (service/web/static/render.js) and the browser extension
 * (extension/render.js): the two files are identical copies (tests/web/test_page.py checks).
 * Text from the API is only ever set as text (textContent, text nodes), never parsed as HTML.
 * Loaded as a classic script: it defines the global `FactCheck` (the extension's service
 * worker loads it with importScripts and uses the client part only).
 */
(function (root) {
  "use strict";

  var VERDICTS = {
    supported: "Supported",
    refuted: "Refuted",
    conflicting: "Conflicting",
    not_enough_info: "Not enough info",
  };
  var STANCES = { supports: "Supports", refutes: "Refutes", neutral: "Neutral" };
  var VERDICT_ORDER = ["supported", "refuted", "conflicting", "not_enough_info"];

  // ---- The API client -----------------------------------------------------------------

  /** An API call that failed: `status` is 0 when the service could not be reached. */
  class ApiError extends Error {
    constructor(message, status, problem) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.problem = problem || null;
    }
  }

  /** `base` + `path`, where base may or may not end with a slash. */
  function apiUrl(base, path) {
    return String(base).replace(/\/+$/, "") + "/" + String(path).replace(/^\/+/, "");
  }

  /**
   * Call the API: GET when `body` is undefined, else POST it as JSON. Sends `X-API-Key`
   * when `key` is set. Resolves to the parsed JSON answer; rejects with an ApiError whose
   * message is fit to show a person (from the RFC 9457 problem the service sends).
   */
  async function request(options) {
    var headers = { Accept: "application/json" };
    var init = { method: "GET", headers: headers, signal: options.signal, credentials: "omit" };
    if (options.body !== undefined) {
      init.method = "POST";
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (options.key) headers["X-API-Key"] = options.key;
    var response;
    try {
      response = await fetch(apiUrl(options.base, options.path), init);
    } catch (error) {
      if (error && error.name === "AbortError") throw error;
      throw new ApiError(
        "Could not reach the fact-checking service at " + options.base + ".",
        0,
        null,
      );
    }
    var data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok && data !== null) return data;
    throw new ApiError(problemMessage(response.status, data), response.status, data);
  }

  function problemMessage(status, problem) {
    if (status === 401) {
      return "This service needs an API key, or the key given is not valid.";
    }
    var parts = [];
    if (problem && typeof problem.detail === "string") parts.push(problem.detail);
    else if (problem && typeof problem.title === "string") parts.push(problem.title);
    else parts.push("The service answered with status " + status + ".");
    if (problem && problem.errors && typeof problem.errors === "object") {
      fieldMessages(problem.errors, "").forEach(function (line) {
        parts.push(line);
      });
    }
    return parts.join(" ");
  }

  function fieldMessages(errors, prefix) {
    var lines = [];
    Object.keys(errors).forEach(function (name) {
      var value = errors[name];
      var field = prefix ? prefix + "." + name : name;
      if (Array.isArray(value)) lines.push(field + ": " + value.join(" "));
      else if (value && typeof value === "object") lines = lines.concat(fieldMessages(value, field));
    });
    return lines;
  }

  // ---- Highlighting ---------------------------------------------------------------------

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /** How a figure may be written: 5000 -> "5000" and "5,000". */
  function numberSpellings(value) {
    if (typeof value !== "number" || !isFinite(value)) return [];
    var out = [String(value)];
    if (Number.isInteger(value)) out.push(value.toLocaleString("en-US"));
    return out;
  }

  /**
   * What to highlight in a passage: from the check result's `analysis`, the names of its
   * entities (and the speaker) and its figures, as written in the claim and by value; and
   * the figures the evidence's `reason` cites (the passage's own "49" against a claimed
   * "300", the day of a date), which are what the passage was judged on.
   */
  function terms(analysis, reason) {
    var names = new Set();
    var numbers = new Set();
    if (typeof reason === "string") {
      (reason.match(/\p{N}+(?:[.,]\p{N}+)*/gu) || []).forEach(function (figure) {
        numbers.add(figure);
      });
    }
    if (!analysis) return { names: Array.from(names), numbers: Array.from(numbers) };
    (analysis.entities || []).forEach(function (entity) {
      [entity.text, entity.name].forEach(function (name) {
        if (typeof name === "string" && name.trim().length >= 2) names.add(name.trim());
      });
    });
    if (typeof analysis.speaker === "string" && analysis.speaker.trim().length >= 2) {
      names.add(analysis.speaker.trim());
    }
    (analysis.quantities || []).forEach(function (quantity) {
      var text = typeof quantity.text === "string" ? quantity.text.trim() : "";
      if (/\d$/.test(text)) numbers.add(text);
      else if (text.length >= 2) names.add(text);
      numberSpellings(quantity.value).forEach(function (spelling) {
        numbers.add(spelling);
      });
    });
    return { names: Array.from(names), numbers: Array.from(numbers) };
  }

  function pattern(list, flexibleSpace) {
    return list
      .slice()
      .sort(function (a, b) {
        return b.length - a.length;
      })
      .map(function (term) {
        var escaped = escapeRegExp(term);
        return flexibleSpace ? escaped.replace(/\s+/g, "\\s+") : escaped;
      })
      .join("|");
  }

  /**
   * The [start, end) ranges of `text` to highlight, merged and in order. Matching ignores
   * case, except for names of three letters or fewer in capitals ("US", "UN"); a name also
   * takes the rest of its word ("Armenia" marks "Armenian"); a figure must stand alone
   * ("300" does not mark "3000" or "1,300").
   */
  function matchRanges(text, found) {
    var ranges = [];
    var start = "(?<![\\p{L}\\p{N}])";
    function collect(regexp, kind) {
      regexp.lastIndex = 0;
      var match;
      while ((match = regexp.exec(text)) !== null) {
        if (match[0].length === 0) {
          regexp.lastIndex += 1;
          continue;
        }
        ranges.push({ start: match.index, end: match.index + match[0].length, kind: kind });
      }
    }
    var acronyms = found.names.filter(function (name) {
      return name.length <= 3 && name === name.toUpperCase();
    });
    var words = found.names.filter(function (name) {
      return acronyms.indexOf(name) < 0;
    });
    if (words.length) {
      collect(new RegExp(start + "(?:" + pattern(words, true) + ")\\p{L}*", "giu"), "name");
    }
    if (acronyms.length) {
      collect(new RegExp(start + "(?:" + pattern(acronyms, false) + ")(?!\\p{L})", "gu"), "name");
    }
    if (found.numbers.length) {
      var before = "(?<!\\p{N}|\\p{N}[.,])";
      var after = "(?!\\p{N}|[.,]\\p{N})";
      collect(
        new RegExp(before + "(?:" + pattern(found.numbers, true) + ")" + after, "giu"),
        "number",
      );
    }
    ranges.sort(function (a, b) {
      return a.start - b.start || b.end - a.end;
    });
    var merged = [];
    ranges.forEach(function (range) {
      var last = merged[merged.length - 1];
      if (last && range.start < last.end) last.end = Math.max(last.end, range.end);
      else merged.push({ start: range.start, end: range.end, kind: range.kind });
    });
    return merged;
  }

  /** `text` as a fragment with the names and figures of terms() in <mark> elements. */
  function highlight(text, analysis, reason) {
    var fragment = document.createDocumentFragment();
    var at = 0;
    matchRanges(text, terms(analysis, reason)).forEach(function (range) {
      if (range.start > at) fragment.append(text.slice(at, range.start));
      fragment.append(
        el("mark", { class: "fc-hl fc-hl-" + range.kind }, text.slice(range.start, range.end)),
      );
      at = range.end;
    });
    if (at < text.length) fragment.append(text.slice(at));
    return fragment;
  }

  // ---- DOM helpers ----------------------------------------------------------------------

  /** An element with attributes (`class`, plain attributes) and children (nodes or text). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      appendChild(node, arguments[i]);
    }
    return node;
  }

  function appendChild(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach((item) => appendChild(node, item));
    else node.append(child instanceof Node ? child : String(child));
  }

  function hidden(text) {
    return el("span", { class: "fc-visually-hidden" }, text);
  }

  function heading(level, attrs) {
    var tag = "h" + Math.min(Math.max(level || 2, 1), 6);
    var args = [tag, attrs].concat(Array.prototype.slice.call(arguments, 2));
    return el.apply(null, args);
  }

  /** Only http(s) links from the corpus metadata become links. */
  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      var parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function verdictLabel(verdict) {
    return VERDICTS[verdict] || String(verdict);
  }

  function sourceName(source) {
    if (!source) return "Unknown source";
    if (source.title && source.publisher) return source.title + " — " + source.publisher;
    return source.title || source.publisher || source.id;
  }

  function dateNode(day) {
    if (!day) return el("span", { class: "fc-date fc-muted" }, "date unknown");
    return el("time", { class: "fc-date", datetime: day }, day);
  }

  function confidenceNode(confidence) {
    var value = typeof confidence === "number" ? confidence : 0;
    var bar = el("span", { class: "fc-meter-bar" });
    bar.style.width = Math.round(Math.min(Math.max(value, 0), 1) * 100) + "%";
    return el(
      "span",
      { class: "fc-confidence" },
      "confidence ",
      el("strong", {}, value.toFixed(2)),
      el("span", { class: "fc-meter", "aria-hidden": "true" }, bar),
    );
  }

  // ---- Results --------------------------------------------------------------------------

  /**
   * One check result. Options: `headingLevel` (2), `sourceLink(evidence)` -> {href, target}
   * for the "View in source" link, `showClaim` (true), `collapseEvidence` (false: put the
   * passages in a <details>).
   */
  function renderCheck(result, options) {
    options = options || {};
    var level = options.headingLevel || 2;
    var section = el("section", {
      class: "fc-result fc-verdict-" + result.verdict,
      "data-verdict": result.verdict,
    });
    section.append(
      heading(
        level,
        { class: "fc-verdict-line" },
        el("span", { class: "fc-verdict" }, verdictLabel(result.verdict)),
        " ",
        confidenceNode(result.confidence),
      ),
    );
    if (options.showClaim !== false) {
      section.append(el("p", { class: "fc-claim" }, hidden("Claim: "), result.claim));
    }
    section.append(el("p", { class: "fc-explanation" }, result.explanation));
    if (result.notes && result.notes.length) {
      section.append(
        el(
          "ul",
          { class: "fc-notes" },
          result.notes.map((note) => el("li", {}, note)),
        ),
      );
    }
    var evidence = result.evidence || [];
    var title = "Evidence (" + evidence.length + ")";
    var list = el(
      "ol",
      { class: "fc-evidence" },
      evidence.map((item) => renderEvidence(item, result.analysis, options)),
    );
    if (!evidence.length) {
      list = el("p", { class: "fc-muted" }, "No passage of the corpus was judged against it.");
    }
    if (options.collapseEvidence) {
      section.append(
        el("details", { class: "fc-evidence-details" }, el("summary", {}, title), list),
      );
    } else {
      section.append(heading(level + 1, { class: "fc-evidence-heading" }, title), list);
    }
    return section;
  }

  function renderEvidence(item, analysis, options) {
    var source = item.source || {};
    var meta = el(
      "p",
      { class: "fc-passage-meta" },
      el("span", { class: "fc-stance" }, STANCES[item.stance] || item.stance),
      " ",
      el("span", { class: "fc-source" }, sourceName(source)),
      " ",
      dateNode(source.published),
    );
    var li = el(
      "li",
      { class: "fc-passage fc-stance-" + item.stance, "data-stance": item.stance },
      meta,
      el("blockquote", { class: "fc-passage-text" }, highlight(item.text || "", analysis, item.reason)),
    );
    if (item.reason) li.append(el("p", { class: "fc-reason" }, item.reason));
    var link = options.sourceLink ? options.sourceLink(item) : null;
    if (link && link.href) {
      li.append(
        el(
          "a",
          {
            class: "fc-source-link",
            href: link.href,
            target: link.target,
            rel: link.target ? "noopener" : null,
          },
          "View in source",
          hidden(": " + sourceName(source) + ", characters " + item.start + " to " + item.end),
        ),
      );
    }
    return li;
  }

  /** The link from a passage to its source view: `<prefix>#source=<id>&start=..&end=..`. */
  function sourceHash(item) {
    var params = new URLSearchParams();
    params.set("source", item.source ? item.source.id : "");
    params.set("start", String(item.start));
    params.set("end", String(item.end));
    return "#" + params.toString();
  }

  /** Reads what sourceHash wrote; null when the hash names no source. */
  function parseSourceHash(hash) {
    var params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    var id = params.get("source");
    if (!id) return null;
    var start = parseInt(params.get("start"), 10);
    var end = parseInt(params.get("end"), 10);
    return { id: id, start: isNaN(start) ? null : start, end: isNaN(end) ? null : end };
  }

  function countsLine(review) {
    var counts = review.counts || {};
    var parts = VERDICT_ORDER.map(function (verdict) {
      return (counts[verdict] || 0) + " " + verdictLabel(verdict).toLowerCase();
    });
    return (
      review.sentences.length +
      " sentence(s), " +
      review.checked +
      " checked: " +
      parts.join(", ") +
      "."
    );
  }

  /**
   * A review: its counts, the draft with the checked sentences marked (each links to its
   * result), then each checked sentence with its result. Options: as renderCheck, plus
   * `text` (the reviewed text, for the gaps between sentences) and `idPrefix`.
   */
  function renderReview(review, options) {
    options = options || {};
    var level = options.headingLevel || 2;
    var prefix = options.idPrefix || "fc-sentence-";
    var section = el("section", { class: "fc-review" });
    section.append(
      heading(level, { class: "fc-review-heading" }, "Review"),
      el("p", { class: "fc-summary" }, countsLine(review)),
    );
    var chars = typeof options.text === "string" ? Array.from(options.text) : null;
    var draft = el("div", { class: "fc-draft" });
    var at = 0;
    var checked = [];
    review.sentences.forEach(function (sentence, index) {
      if (chars && sentence.start > at) draft.append(chars.slice(at, sentence.start).join(""));
      else if (!chars && index > 0) draft.append(" ");
      if (sentence.checked && sentence.result) {
        var id = prefix + index;
        checked.push({ sentence: sentence, id: id });
        draft.append(
          el(
            "a",
            {
              class: "fc-sentence fc-verdict-" + sentence.result.verdict,
              href: "#" + id,
            },
            sentence.text,
            hidden(" (" + verdictLabel(sentence.result.verdict) + ")"),
          ),
        );
      } else {
        draft.append(el("span", { class: "fc-sentence fc-unchecked" }, sentence.text));
      }
      at = Math.max(at, sentence.end);
    });
    if (chars && at < chars.length) draft.append(chars.slice(at).join(""));
    section.append(draft);
    if (!checked.length) {
      section.append(el("p", { class: "fc-muted" }, "No sentence was check-worthy."));
      return section;
    }
    var list = el("ol", { class: "fc-checked" });
    checked.forEach(function (entry) {
      var sentence = entry.sentence;
      var item = el(
        "li",
        { class: "fc-checked-sentence", id: entry.id, tabindex: "-1" },
        el("blockquote", { class: "fc-quote" }, sentence.text),
        renderCheck(sentence.result, {
          headingLevel: level + 1,
          sourceLink: options.sourceLink,
          showClaim: false,
          collapseEvidence: true,
        }),
      );
      var clauses = (sentence.clauses || []).filter((clause) => clause.result);
      if (clauses.length) {
        item.append(
          el(
            "ul",
            { class: "fc-clauses", "aria-label": "Its clauses" },
            clauses.map((clause) =>
              el(
                "li",
                { class: "fc-verdict-" + clause.result.verdict },
                el("span", { class: "fc-verdict fc-small" }, verdictLabel(clause.result.verdict)),
                " ",
                clause.text,
              ),
            ),
          ),
        );
      }
      list.append(item);
    });
    section.append(list);
    return section;
  }

  /** A one-line summary of a check, for a live region. */
  function checkSummary(result) {
    return (
      verdictLabel(result.verdict) +
      ", confidence " +
      Number(result.confidence).toFixed(2) +
      ". " +
      (result.evidence || []).length +
      " evidence passage(s)."
    );
  }

  function reviewSummary(review) {
    return "Review done: " + countsLine(review);
  }

  // ---- Sources --------------------------------------------------------------------------

  /**
   * A source's text with [start, end) in a <mark id="fc-passage">. The offsets count
   * characters (Unicode code points, as the service does), not UTF-16 units.
   */
  function renderSource(source, start, end, options) {
    options = options || {};
    var level = options.headingLevel || 2;
    var article = el("article", { class: "fc-source-view" });
    var title = source.title || source.publisher;
    article.append(heading(level, { class: "fc-source-title" }, title || "Source " + source.id));
    var url = safeUrl(source.url);
    article.append(
      el(
        "p",
        { class: "fc-source-meta" },
        source.title && source.publisher ? [el("span", {}, source.publisher), " · "] : null,
        dateNode(source.published),
        title ? [" · ", el("code", {}, source.id)] : null,
        url ? [" · ", el("a", { href: url, rel: "noopener noreferrer" }, "Original")] : null,
      ),
    );
    var chars = Array.from(source.text || "");
    var body = el("div", { class: "fc-source-text" });
    var valid =
      Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= chars.length;
    if (valid) {
      body.append(
        chars.slice(0, start).join(""),
        el(
          "mark",
          { id: "fc-passage", class: "fc-passage-mark", tabindex: "-1" },
          hidden("Passage: "),
          chars.slice(start, end).join(""),
        ),
        chars.slice(end).join(""),
      );
    } else {
      if (start !== null && start !== undefined) {
        article.append(
          el("p", { class: "fc-muted" }, "The passage's offsets are outside this source's text."),
        );
      }
      body.append(chars.join(""));
    }
    article.append(body);
    return article;
  }

  root.FactCheck = {
    ApiError: ApiError,
    apiUrl: apiUrl,
    request: request,
    terms: terms,
    matchRanges: matchRanges,
    highlight: highlight,
    renderCheck: renderCheck,
    renderReview: renderReview,
    renderSource: renderSource,
    sourceHash: sourceHash,
    parseSourceHash: parseSourceHash,
    checkSummary: checkSummary,
    reviewSummary: reviewSummary,
    verdictLabel: verdictLabel,
    el: el,
  };
})(typeof self !== "undefined" ? self : this);
