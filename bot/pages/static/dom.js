/* Helpers shared by the gateway's own pages (/resources, /staff): elements are
 * built with textContent and attributes only, never markup from data; JSON is
 * fetched the same way.
 * widget.js keeps its own copy on purpose: other sites embed it with a single
 * script tag, so it can't depend on a second file. */
(function () {
  "use strict";

  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") el.textContent = value;
      else if (key === "class") el.className = value;
      else if (key.slice(0, 2) === "on") el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      if (arguments[i] !== null && arguments[i] !== undefined) el.append(arguments[i]);
    }
    return el;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(String(raw || ""), location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /** fetch() and read the body as JSON: {status, ok, body}, body {} when it isn't JSON. */
  function fetchJson(url, options) {
    return fetch(url, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (body) {
          return { status: response.status, ok: response.ok, body: body || {} };
        });
    });
  }

  /** fetch() a text body; rejects unless the answer is OK. */
  function fetchText(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    });
  }

  window.PeerPathDom = { h: h, safeUrl: safeUrl, fetchJson: fetchJson, fetchText: fetchText };
})();
