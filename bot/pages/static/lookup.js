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

  // ---- a list for a client ------------------------------------------------------------
  // The items are kept in this tab while the list is built; the links made are kept in
  // this browser (ids only: the server has the items) so they can be opened again.

  var DRAFT_KEY = "peerpath:list-draft";
  var RECENT_KEY = "peerpath:recent-lists";
  var MAX_ITEMS = 20;
  var listItems = document.getElementById("list-items");
  var listEmpty = document.getElementById("list-empty");
  var listTools = document.getElementById("list-tools");
  var listNote = document.getElementById("list-note");
  var listStatus = document.getElementById("list-status");
  var listMade = document.getElementById("list-made");
  var draft = readJson(sessionStorage, DRAFT_KEY, []);
  var toggles = []; // every "Add to list" button on the page, to keep them in step

  function readJson(storage, key, fallback) {
    try {
      var value = JSON.parse(storage.getItem(key) || "null");
      return Array.isArray(value) ? value : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function writeJson(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or refused: the list still works on this page */
    }
  }

  function indexOf(kind, id) {
    for (var i = 0; i < draft.length; i++) {
      if (draft[i].kind === kind && draft[i].id === id) return i;
    }
    return -1;
  }

  function move(i, by) {
    var j = i + by;
    if (j < 0 || j >= draft.length) return;
    var item = draft.splice(i, 1)[0];
    draft.splice(j, 0, item);
    listChanged();
    var buttons = listItems.children[j] && listItems.children[j].querySelectorAll("button");
    if (buttons && buttons.length) buttons[by < 0 ? 0 : Math.min(1, buttons.length - 1)].focus();
  }

  function renderList() {
    listItems.textContent = "";
    draft.forEach(function (item, i) {
      listItems.append(
        h(
          "li",
          null,
          h("span", { text: item.title }),
          h(
            "span",
            { class: "row-actions" },
            h("button", { type: "button", text: "Up", "aria-label": "Move up: " + item.title,
              disabled: i === 0, onclick: function () { move(i, -1); } }),
            h("button", { type: "button", text: "Down", "aria-label": "Move down: " + item.title,
              disabled: i === draft.length - 1, onclick: function () { move(i, 1); } }),
            h("button", { type: "button", text: "Remove", "aria-label": "Remove: " + item.title,
              onclick: function () { draft.splice(i, 1); listChanged(); } })
          )
        )
      );
    });
    listEmpty.hidden = draft.length > 0;
    listTools.hidden = draft.length === 0;
    // buttons of results no longer shown are dropped as they are found
    toggles = toggles.filter(function (sync) {
      return sync();
    });
  }

  function listChanged() {
    writeJson(sessionStorage, DRAFT_KEY, draft);
    listMade.hidden = true;
    renderList();
  }

  /** The "Add to list" button of one passage or resource. */
  function addButton(kind, id, title) {
    var button = h("button", { type: "button", class: "add-to-list" });
    function sync() {
      var added = indexOf(kind, id) >= 0;
      button.textContent = added ? "Remove from list" : "Add to list";
      button.setAttribute("aria-label", (added ? "Remove from list: " : "Add to list: ") + title);
      return button.isConnected || !button.parentNode;
    }
    button.addEventListener("click", function () {
      var i = indexOf(kind, id);
      if (i >= 0) draft.splice(i, 1);
      else if (draft.length >= MAX_ITEMS) {
        listStatus.textContent = "A list holds at most " + MAX_ITEMS + " items.";
        return;
      } else draft.push({ kind: kind, id: id, title: title });
      listStatus.textContent = i >= 0 ? "Removed from the list." : "Added to the list.";
      listChanged();
    });
    toggles.push(sync);
    sync();
    return button;
  }

  function renderRecent() {
    var recent = readJson(localStorage, RECENT_KEY, []);
    var holder = document.getElementById("recent");
    var ul = document.getElementById("recent-lists");
    ul.textContent = "";
    recent.forEach(function (made) {
      var url = safeUrl(made.url);
      if (!url) return;
      var when = new Date(made.created).toLocaleDateString();
      ul.append(h("li", null, h("a", { href: url, text: made.count + " items, made " + when })));
    });
    holder.hidden = ul.children.length === 0;
  }

  function showMade(body) {
    var url = safeUrl(body.url);
    listMade.textContent = "";
    if (!url) return;
    var textUrl = safeUrl(body.text_url);
    var until = new Date(body.expires_at).toLocaleDateString();
    var textArea = h("textarea", { rows: 6, readonly: true, class: "copy-fallback",
      "aria-label": "The list as text", hidden: true });
    listMade.append(
      h("p", { text: "Your link works until " + until + ". Anyone with it can read the list." }),
      copyRow(url, "this list"),
      h(
        "p",
        null,
        h("a", { href: url, target: "_blank", rel: "noopener", text: "Open the list (to print)" }),
        " \u00b7 ",
        h("button", {
          type: "button",
          text: "Show as text",
          onclick: function () {
            window.PeerPathDom.fetchText(textUrl).then(function (text) {
              textArea.value = text;
              textArea.hidden = false;
              textArea.focus();
              textArea.select();
            });
          },
        })
      ),
      textArea
    );
    listMade.hidden = false;
    var recent = readJson(localStorage, RECENT_KEY, []).filter(function (made) {
      return made.url !== url;
    });
    recent.unshift({ url: url, created: Date.now(), count: draft.length });
    writeJson(localStorage, RECENT_KEY, recent.slice(0, 10));
    renderRecent();
  }

  document.getElementById("list-create").addEventListener("click", function () {
    if (!draft.length) return;
    listStatus.textContent = "Making the link\u2026";
    var options = {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        items: draft.map(function (item) {
          return { kind: item.kind, id: item.id };
        }),
        note: listNote.value,
      }),
    };
    window.PeerPathDom.fetchJson("/api/lists", options).then(
      function (result) {
        if (!result.ok) {
          listStatus.textContent = result.body.error || "The link couldn't be made. Please try again.";
          return;
        }
        listStatus.textContent = "Your link is ready.";
        showMade(result.body);
      },
      function () {
        listStatus.textContent = "The link couldn't be made. Please check the connection.";
      }
    );
  });

  renderList();
  renderRecent();

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
        url ? copyRow(url, title + (r.heading ? ", " + r.heading : "")) : null,
        r.chunk_id
          ? addButton("passage", String(r.chunk_id), title + (r.heading ? ": " + r.heading : ""))
          : null
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
          url ? copyRow(url, name) : null,
          r.id ? addButton("resource", String(r.id), name) : null
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
