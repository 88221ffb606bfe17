/* The resource lookup page (/resources): passages from /api/search and the
 * directory from /api/resources. Text is inserted with textContent only. */
(function () {
  "use strict";

  var h = window.PeerPathDom.h;
  var safeUrl = window.PeerPathDom.safeUrl;

  function label(value) {
    var text = String(value).replace(/[-_]/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function getJson(url) {
    var options = { headers: { Accept: "application/json" } };
    return window.PeerPathDom.fetchJson(url, options).then(function (result) {
      if (!result.ok) {
        throw new Error(result.body.error || "The search didn't work. Please try again.");
      }
      return result.body;
    });
  }

  /** A copy-link button with a visible confirmation, and a fallback field to copy by hand. */
  function copyRow(url, name) {
    var note = h("span", { class: "copied", role: "status" });
    var row = h("div", { class: "copy-row" });
    function fallback() {
      var field = h("input", {
        class: "copy-fallback",
        type: "text",
        readonly: true,
        value: url,
        "aria-label": "Link to " + name,
      });
      row.append(field);
      field.focus();
      field.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (e) {
        copied = false;
      }
      note.textContent = copied ? "Copied" : "Press Ctrl+C (or \u2318+C) to copy the link.";
    }
    var button = h("button", {
      type: "button",
      text: "Copy link",
      "aria-label": "Copy link to " + name,
      onclick: function () {
        note.textContent = "";
        var existing = row.querySelector(".copy-fallback");
        if (existing) existing.remove();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(url).then(function () {
            note.textContent = "Copied";
          }, fallback);
        } else {
          fallback();
        }
      },
    });
    row.append(button, note);
    return row;
  }

  // ---- passages ------------------------------------------------------------------

  var searchForm = document.getElementById("search-form");
  var searchStatus = document.getElementById("search-status");
  var results = document.getElementById("results");

  function renderResults(body) {
    results.textContent = "";
    var found = Array.isArray(body.results) ? body.results : [];
    searchStatus.classList.remove("warn");
    if (!found.length) {
      searchStatus.textContent =
        "Nothing matched. Try other words, or remove a filter. The directory below may help.";
      return;
    }
    if (body.confident === false) {
      searchStatus.textContent =
        "These may not match well. Read them with care, try other words, or check the " +
        "directory below.";
      searchStatus.classList.add("warn");
    } else {
      searchStatus.textContent =
        found.length + (found.length === 1 ? " passage" : " passages") + ", best match first.";
    }
    found.forEach(function (r, i) {
      var url = safeUrl(r.url);
      var title = String(r.title || "Untitled");
      var heading = h("h3", null, (i + 1) + ". ");
      if (url) heading.append(h("a", { href: url, text: title }));
      else heading.append(title);
      var item = h(
        "li",
        { class: "result" },
        heading,
        r.heading ? h("p", { class: "section", text: "Section: " + r.heading }) : null,
        h("p", { class: "passage", text: String(r.text || "") }),
        Array.isArray(r.topics) && r.topics.length
          ? h("p", { class: "tags", text: "Topics: " + r.topics.map(label).join(", ") })
          : null,
        url ? copyRow(url, title + (r.heading ? ", " + r.heading : "")) : null
      );
      results.append(item);
    });
  }

  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(searchForm);
    var query = String(data.get("q") || "").trim();
    if (!query) return;
    var params = new URLSearchParams({ q: query, k: String(data.get("k") || "5") });
    ["topic", "audience"].forEach(function (key) {
      var value = String(data.get(key) || "");
      if (value) params.set(key, value);
    });
    searchStatus.classList.remove("warn");
    searchStatus.textContent = "Searching\u2026";
    getJson("/api/search?" + params.toString()).then(renderResults, function (err) {
      results.textContent = "";
      searchStatus.textContent = err.message;
    });
  });

  // ---- the directory ---------------------------------------------------------------

  var directoryForm = document.getElementById("directory-form");
  var directoryStatus = document.getElementById("directory-status");
  var directory = document.getElementById("directory");

  function contact(resource) {
    var parts = [];
    if (resource.phone) parts.push("Call " + resource.phone);
    if (resource.text) parts.push("Text " + resource.text);
    return parts.join(" \u00b7 ");
  }

  function renderDirectory(body) {
    directory.textContent = "";
    var found = Array.isArray(body.resources) ? body.resources : [];
    directoryStatus.textContent = found.length
      ? found.length + (found.length === 1 ? " resource." : " resources.")
      : "No resources match these filters.";
    found.forEach(function (r) {
      var url = safeUrl(r.url);
      var name = String(r.name || "");
      var heading = h("h3");
      if (url) heading.append(h("a", { href: url, rel: "noopener noreferrer", text: name }));
      else heading.append(name);
      var where = [label(r.kind || ""), r.region === "national" ? "National" : r.region]
        .filter(Boolean)
        .join(" \u00b7 ");
      directory.append(
        h(
          "li",
          { class: "result" },
          heading,
          h("p", { class: "section", text: where }),
          h("p", { class: "passage", text: String(r.description || "") }),
          contact(r) ? h("p", { text: contact(r) }) : null,
          Array.isArray(r.formats) && r.formats.length
            ? h("p", { class: "tags", text: "Formats: " + r.formats.join(", ") })
            : null,
          url ? copyRow(url, name) : null
        )
      );
    });
  }

  function loadDirectory() {
    var data = new FormData(directoryForm);
    var params = new URLSearchParams();
    ["region", "topic", "kind"].forEach(function (key) {
      var value = String(data.get(key) || "");
      if (value) params.set(key, value);
    });
    directoryStatus.textContent = "Loading\u2026";
    getJson("/api/resources?" + params.toString()).then(renderDirectory, function (err) {
      directory.textContent = "";
      directoryStatus.textContent = err.message;
    });
  }

  directoryForm.addEventListener("change", loadDirectory);
  directoryForm.addEventListener("submit", function (event) {
    event.preventDefault();
    loadDirectory();
  });
  loadDirectory();
})();
