/*
 * Options: the service URL and API key, in chrome.storage.local (read by background.js and
 * source.js). A service elsewhere than on this computer needs a host permission, asked for
 * when saving; without it the service's CORS settings must allow this extension's origin.
 */
(function () {
  "use strict";

  var DEFAULT_SERVICE = "http://127.0.0.1:8000";
  var LOCAL_HOSTS = ["127.0.0.1", "localhost"];
  var url = document.getElementById("service-url");
  var key = document.getElementById("api-key");
  var status = document.getElementById("status");

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", Boolean(isError));
  }

  /** The URL typed, without a trailing slash; null when it is not http(s). */
  function serviceUrl() {
    try {
      var parsed = new URL(url.value.trim());
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
      return parsed.href.replace(/\/+$/, "");
    } catch (error) {
      return null;
    }
  }

  chrome.storage.local.get({ serviceUrl: DEFAULT_SERVICE, apiKey: "" }).then(function (stored) {
    url.value = stored.serviceUrl;
    key.value = stored.apiKey;
  });

  document.getElementById("options-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var service = serviceUrl();
    if (!service) {
      say("Enter the service's address, starting with http:// or https://.", true);
      url.focus();
      return;
    }
    var host = new URL(service);
    // Asked at once, while the click still counts as the user's gesture.
    var permitted = LOCAL_HOSTS.indexOf(host.hostname) >= 0
      ? Promise.resolve(true)
      : chrome.permissions
          .request({ origins: [host.protocol + "//" + host.hostname + "/*"] })
          .catch(function () {
            return false;
          });
    permitted.then(function (granted) {
      return chrome.storage.local
        .set({ serviceUrl: service, apiKey: key.value.trim() })
        .then(function () {
          url.value = service;
          say(
            granted
              ? "Saved."
              : "Saved, without permission to reach " + host.origin + ": the service's CORS " +
                  "settings must allow this extension (FACTCHECK_CORS_ORIGINS).",
          );
        });
    });
  });

  document.getElementById("test").addEventListener("click", function () {
    var service = serviceUrl();
    if (!service) {
      say("Enter the service's address, starting with http:// or https://.", true);
      return;
    }
    say("Connecting…");
    FactCheck.request({ base: service, key: key.value.trim(), path: "v1/sources" }).then(
      function (answer) {
        say("Connected: the service's corpus holds " + answer.count + " source(s).");
      },
      function (error) {
        say(error.message, true);
      },
    );
  });
})();
