/* PeerPath chat widget: embed with one tag, no dependencies, no build step.
 *
 *   <script src="https://HOST/widget.js" data-title="Ask PeerPath" defer></script>
 *
 * Optional data- attributes: data-title, data-greeting, data-color (#rgb or
 * #rrggbb), data-position ("right" or "left").
 *
 * It talks to the gateway that served this file (the script's own origin):
 * a WebSocket at /ws with reconnect and back-off, else POST /api/chat plus
 * polling /api/history while a hand-off is open. The session id lives in
 * localStorage, so the conversation survives reloads and site navigation.
 *
 * Everything shown comes from the network and is inserted with textContent
 * (never innerHTML); links are shown only for http(s) URLs. The widget lives
 * in a shadow root so the host page's CSS and ours cannot collide.
 */
(function () {
  "use strict";
  if (window.__peerpathWidget) return; // loaded twice on one page
  window.__peerpathWidget = true;

  var script =
    document.currentScript ||
    Array.prototype.slice.call(document.querySelectorAll('script[src*="widget.js"]')).pop();
  if (!script) return;
  var ORIGIN = new URL(script.src, location.href).origin;
  var WS_URL = ORIGIN.replace(/^http/, "ws") + "/ws";

  var KEY_SESSION = "peerpath:session";
  var KEY_OPEN = "peerpath:open";
  var KEY_HANDOFF = "peerpath:handoff"; // set while a hand-off is open: listen on every page
  var SESSION_RE = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{32}$/;
  var DEFAULT_COLOR = "#0b6e4f";
  var INK = "#1d2a33";
  var REPLY_TIMEOUT_MS = 60000;
  var POLL_MS = 4000;
  var CANT_CONNECT =
    "PeerPath can't connect right now. Please try again in a little while. " +
    "If you need to talk to someone now, call or text 988, any time.";
  var CANT_SEND =
    "Sorry, that message didn't go through. Please check your connection and try again.";
  var LOST =
    "The connection dropped while I was answering. If no reply appears, please send it again.";

  // ---- configuration (data- attributes) --------------------------------------

  function hexColor(value) {
    var v = (value || "").trim();
    if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v)) return null;
    if (v.length === 4) v = "#" + v[1] + v[1] + v[2] + v[2] + v[3] + v[3];
    return v.toLowerCase();
  }

  function luminance(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }

  function contrast(a, b) {
    var la = luminance(a);
    var lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function readConfig(data) {
    var accent = hexColor(data.color) || DEFAULT_COLOR;
    // Keep WCAG AA: text on the accent colour is white or ink, whichever reads;
    // a colour that works with neither falls back to the default.
    var onAccent = contrast(accent, "#ffffff") >= 4.5 ? "#ffffff" : INK;
    if (contrast(accent, onAccent) < 4.5) {
      accent = DEFAULT_COLOR;
      onAccent = "#ffffff";
    }
    var title = (data.title || "Ask PeerPath").trim().slice(0, 60) || "Ask PeerPath";
    return {
      title: title,
      greeting:
        (data.greeting || "").trim().slice(0, 500) ||
        "Hi, I'm PeerPath, an automated assistant. I can help with questions about peer " +
          "work, trainings, benefits and finding meaningful work. What's on your mind?",
      accent: accent,
      onAccent: onAccent,
      // Links sit on white: use the accent only if it is dark enough to read there.
      link: contrast(accent, "#ffffff") >= 4.5 ? accent : "#07573e",
      position: data.position === "left" ? "left" : "right",
    };
  }

  var cfg = readConfig(script.dataset || {});

  // ---- storage that never throws (private modes, blocked storage) ------------

  function safeStorage(get) {
    try {
      var s = get();
      s.setItem("peerpath:probe", "1");
      s.removeItem("peerpath:probe");
      return s;
    } catch (e) {
      var memory = {};
      return {
        getItem: function (k) {
          return Object.prototype.hasOwnProperty.call(memory, k) ? memory[k] : null;
        },
        setItem: function (k, v) {
          memory[k] = String(v);
        },
        removeItem: function (k) {
          delete memory[k];
        },
      };
    }
  }
  var local = safeStorage(function () {
    return window.localStorage;
  });
  var perTab = safeStorage(function () {
    return window.sessionStorage;
  });

  // The gateway issues the session (a signed token): from the WebSocket hello, or
  // POST /api/session when talking over HTTP. It is kept in localStorage.
  function storedSession() {
    var token = local.getItem(KEY_SESSION);
    return token && SESSION_RE.test(token) ? token : null;
  }

  var session = storedSession();
  function keepSession(token) {
    if (typeof token === "string" && SESSION_RE.test(token) && token !== session) {
      session = token;
      local.setItem(KEY_SESSION, token);
    }
  }

  function forgetSession() {
    session = null;
    local.removeItem(KEY_SESSION);
  }

  // ---- DOM helpers: text only, never markup from data -------------------------

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
      var child = arguments[i];
      if (child !== null && child !== undefined) el.append(child); // strings become text nodes
    }
    return el;
  }

  function safeUrl(raw) {
    try {
      var url = new URL(String(raw || ""), ORIGIN);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; }",
    ".pp { position: fixed; bottom: 20px; z-index: 2147483000; color: " + INK + ";",
    "  font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".pp[data-position=right] { right: 20px; } .pp[data-position=left] { left: 20px; }",
    ".pp-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;",
    "  clip: rect(0 0 0 0); white-space: nowrap; }",
    "button, textarea { font: inherit; }",
    "button { cursor: pointer; }",
    ":focus-visible { outline: 3px solid #c25e00; outline-offset: 2px; }",
    ".pp-launcher { display: flex; align-items: center; gap: .5em; min-height: 48px;",
    "  padding: .7em 1.2em; border: 2px solid transparent; border-radius: 999px;",
    "  background: var(--pp-accent); color: var(--pp-on-accent); font-weight: 700;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".pp-launcher svg { width: 22px; height: 22px; fill: currentColor; }",
    ".pp-badge { min-width: 1.4em; padding: 0 .4em; border-radius: 999px; background: #fff;",
    "  color: #8b0000; font-size: .85em; }",
    ".pp-panel { position: absolute; bottom: 64px; width: 380px; max-width: calc(100vw - 40px);",
    "  height: min(620px, calc(100vh - 110px)); display: flex; flex-direction: column;",
    "  background: #fff; border-radius: 14px; overflow: hidden;",
    "  box-shadow: 0 10px 40px rgba(0,0,0,.3); border: 1px solid #c9d1d6; }",
    ".pp[data-position=right] .pp-panel { right: 0; }",
    ".pp[data-position=left] .pp-panel { left: 0; }",
    ".pp-panel[hidden] { display: none; }",
    ".pp-head { display: flex; align-items: center; gap: .4em; padding: .6em .7em .6em 1em;",
    "  background: var(--pp-accent); color: var(--pp-on-accent); }",
    ".pp-head h2 { flex: 1; margin: 0; font-size: 1.1em; }",
    ".pp-head button { min-height: 40px; min-width: 40px; padding: .2em .7em; border-radius: 8px;",
    "  border: 2px solid currentColor; background: transparent; color: inherit; }",
    ".pp-head .pp-close { font-size: 1.3em; line-height: 1; padding: 0; }",
    ".pp-bar { margin: 0; padding: .55em 1em; font-size: .95em;",
    "  border-bottom: 1px solid #d5dbe0; }",
    ".pp-bar[hidden] { display: none; }",
    ".pp-confirm { background: #fff7e0; color: #4d3300; }",
    ".pp-confirm p { margin: 0 0 .4em; }",
    ".pp-confirm button, .pp-choices button { min-height: 40px; margin: .2em .4em .2em 0;",
    "  padding: .35em .9em; border-radius: 999px; border: 2px solid var(--pp-link);",
    "  background: #fff; color: var(--pp-link); font-weight: 600; }",
    ".pp-confirm .pp-yes { background: var(--pp-accent); color: var(--pp-on-accent);",
    "  border-color: var(--pp-accent); }",
    ".pp-state-waiting { background: #fff7e0; color: #4d3300; }",
    ".pp-state-claimed { background: #e3f4ea; color: #0a4a30; }",
    ".pp-state-back, .pp-state-message_left { background: #eef1f4; color: #2e3b45; }",
    ".pp-conn { background: #fdecea; color: #7a1111; }",
    ".pp-log { position: relative; flex: 1; overflow-y: auto; padding: 1em;",
    "  background: #f7f8f9;",
    "  overscroll-behavior: contain; }",
    ".pp-msg { max-width: 88%; margin: 0 0 .8em; padding: .6em .85em; border-radius: 12px;",
    "  background: #fff; border: 1px solid #d5dbe0; overflow-wrap: anywhere; }",
    ".pp-text { white-space: pre-line; }",
    ".pp-from-me { margin-left: auto; background: var(--pp-accent); color: var(--pp-on-accent);",
    "  border-color: var(--pp-accent); }",
    ".pp-kind-peer { background: #fff4dc; border-color: #b07800; border-left-width: 5px; }",
    ".pp-kind-handoff, .pp-kind-notice { background: #eef1f4; color: #2e3b45; }",
    ".pp-tag { display: block; font-size: .8em; font-weight: 700; color: #6b4500; }",
    ".pp-crisis { max-width: 100%; background: #fff; color: #1a1a1a;",
    "  border: 3px solid #b00020; box-shadow: 0 0 0 3px #ffd6dc; }",
    ".pp-crisis-head { margin: 0 0 .3em; font-weight: 800; font-size: 1.05em; color: #8b0000; }",
    ".pp-crisis-actions { display: flex; flex-wrap: wrap; gap: .5em; margin: .6em 0 .2em; }",
    ".pp-crisis-actions a { display: inline-block; padding: .45em 1em; border-radius: 8px;",
    "  background: #b00020; color: #fff; font-weight: 700; text-decoration: none; }",
    ".pp-sources { margin: .5em 0 0; padding: .5em 0 0 1.1em; border-top: 1px solid #d5dbe0;",
    "  font-size: .92em; }",
    ".pp-sources a { color: var(--pp-link); }",
    ".pp-choices { margin-top: .5em; }",
    ".pp-typing { padding: 0 1em .5em; color: #4a5a66; font-size: .9em; background: #f7f8f9; }",
    ".pp-typing[hidden] { display: none; }",
    ".pp-dot { display: inline-block; width: 7px; height: 7px; margin-right: 3px;",
    "  border-radius: 50%; background: #4a5a66; animation: pp-bounce 1.2s infinite; }",
    ".pp-dot:nth-child(2) { animation-delay: .15s; }",
    ".pp-dot:nth-child(3) { animation-delay: .3s; }",
    "@keyframes pp-bounce { 0%, 60%, 100% { transform: none; }",
    "  30% { transform: translateY(-5px); } }",
    ".pp-form { display: flex; gap: .5em; padding: .6em; border-top: 1px solid #d5dbe0; }",
    ".pp-form textarea { flex: 1; min-height: 44px; max-height: 8em; resize: none;",
    "  padding: .5em .7em; border: 2px solid #6b7a86; border-radius: 10px; color: " + INK + ";",
    "  background: #fff; }",
    ".pp-send { min-width: 64px; border: 0; border-radius: 10px; padding: 0 1em;",
    "  background: var(--pp-accent); color: var(--pp-on-accent); font-weight: 700; }",
    ".pp-note { margin: 0; padding: 0 1em .6em; font-size: .8em; color: #4a5a66; }",
    "@media (max-width: 480px) {",
    "  .pp { bottom: 12px; } .pp[data-position=right] { right: 12px; }",
    "  .pp[data-position=left] { left: 12px; }",
    "  .pp-panel { position: fixed; inset: 0; width: 100%; max-width: none; height: 100%;",
    "    border-radius: 0; border: 0; }",
    "  .pp-msg { max-width: 94%; }",
    "  .pp-launcher[aria-expanded=true] { display: none; } }",
    "@media (prefers-reduced-motion: reduce) {",
    "  * { animation: none !important; transition: none !important; scroll-behavior: auto; } }",
    "@media (forced-colors: active) { .pp-msg, .pp-launcher, .pp-send { border: 1px solid; } }",
    "@media print { .pp { display: none; } }",
  ].join("\n");

  var ICON =
    "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";

  // ---- building the widget ---------------------------------------------------

  var host = h("div", { id: "peerpath-widget" });
  host.style.setProperty("--pp-accent", cfg.accent);
  host.style.setProperty("--pp-on-accent", cfg.onAccent);
  host.style.setProperty("--pp-link", cfg.link);
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS); // not an inline <style>: works under a strict host CSP
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.append(h("style", { text: CSS }));
    }
  } else {
    root.append(h("style", { text: CSS }));
  }

  var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICON);
  svg.append(path);

  var badge = h("span", { class: "pp-badge", hidden: true });
  var launcher = h(
    "button",
    {
      type: "button",
      class: "pp-launcher",
      "aria-expanded": "false",
      "aria-controls": "pp-panel",
      onclick: function () {
        if (panel.hidden) openPanel(true);
        else closePanel();
      },
    },
    svg,
    h("span", { text: cfg.title }),
    badge
  );

  var restartButton = h("button", { type: "button", class: "pp-restart", text: "Start over" });
  var closeButton = h("button", {
    type: "button",
    class: "pp-close",
    "aria-label": "Close chat",
    text: "\u00d7",
  });
  var confirmYes = h("button", { type: "button", class: "pp-yes", text: "Yes, start over" });
  var confirmNo = h("button", { type: "button", text: "Keep this conversation" });
  var confirmBar = h(
    "div",
    { class: "pp-bar pp-confirm", role: "group", "aria-label": "Start over?", hidden: true },
    h("p", { text: "Start over? This clears the conversation on this device." }),
    confirmYes,
    confirmNo
  );
  var stateBar = h("p", { class: "pp-bar", role: "status", hidden: true });
  var connBar = h("p", { class: "pp-bar pp-conn", role: "status", hidden: true });
  var log = h("div", {
    class: "pp-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  var typing = h(
    "div",
    { class: "pp-typing", hidden: true },
    h("span", { class: "pp-dot", "aria-hidden": "true" }),
    h("span", { class: "pp-dot", "aria-hidden": "true" }),
    h("span", { class: "pp-dot", "aria-hidden": "true" }),
    h("span", { class: "pp-sr", text: "PeerPath is writing a reply" })
  );
  var input = h("textarea", {
    id: "pp-input",
    rows: "1",
    maxlength: "2000",
    autocomplete: "off",
    placeholder: "Type your message",
  });
  var form = h(
    "form",
    { class: "pp-form" },
    h("label", { for: "pp-input", class: "pp-sr", text: "Your message" }),
    input,
    h("button", { type: "submit", class: "pp-send", text: "Send" })
  );
  var panel = h(
    "section",
    {
      id: "pp-panel",
      class: "pp-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "pp-title",
      hidden: true,
    },
    h("div", { class: "pp-head" }, h("h2", { id: "pp-title", text: cfg.title }), restartButton,
      closeButton),
    confirmBar,
    stateBar,
    connBar,
    log,
    typing,
    form,
    h("p", {
      class: "pp-note",
      text: "PeerPath is an automated assistant, not a counselor. In a crisis, call or text 988.",
    })
  );
  var shell = h("div", { class: "pp", "data-position": cfg.position }, panel, launcher);
  root.append(shell);

  // ---- rendering messages ----------------------------------------------------

  var unread = 0;

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function choiceButtons(buttons) {
    var valid = (buttons || []).filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string" && b.payload;
    });
    if (!valid.length) return null;
    var group = h("div", { class: "pp-choices", role: "group", "aria-label": "Choices" });
    valid.forEach(function (b) {
      group.append(
        h("button", {
          type: "button",
          text: b.title,
          onclick: function () {
            say(b.payload, b.title);
            input.focus();
          },
        })
      );
    });
    return group;
  }

  function sourceList(sources) {
    var items = [];
    (sources || []).forEach(function (s) {
      if (!s || !s.title) return;
      var href = safeUrl(s.url);
      var label = s.section ? String(s.title) + " \u2014 " + String(s.section) : String(s.title);
      var li = h("li");
      if (href) {
        li.append(
          h("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: label },
            h("span", { class: "pp-sr", text: " (opens in a new tab)" }))
        );
      } else {
        li.append(label);
      }
      items.push(li);
    });
    if (!items.length) return null;
    var list = h("ul", { class: "pp-sources", "aria-label": "Sources" });
    items.forEach(function (li) {
      list.append(li);
    });
    return list;
  }

  function crisisBox(message) {
    return h(
      "div",
      { class: "pp-msg pp-crisis", role: "alert" },
      h("p", { class: "pp-crisis-head", text: "Help is available right now" }),
      h("div", { class: "pp-text", text: String(message.text || "") }),
      h(
        "div",
        { class: "pp-crisis-actions" },
        h("a", { href: "tel:988", text: "Call 988" }),
        h("a", { href: "sms:988", text: "Text 988" })
      ),
      choiceButtons(message.buttons)
    );
  }

  /** Add one message: from "me", "bot" or "peer", with the gateway's message fields. */
  function render(from, message) {
    var kind = typeof message.kind === "string" ? message.kind : "";
    if (from === "peer") kind = "peer";
    var el;
    if (kind === "crisis" && from !== "me") {
      el = crisisBox(message);
    } else {
      var who = from === "me" ? "You" : kind === "peer" ? "Peer supporter" : "PeerPath";
      var safeKind = /^[a-z_]{1,20}$/.test(kind) ? kind : "answer";
      el = h(
        "div",
        { class: "pp-msg pp-from-" + (from === "me" ? "me" : "bot") + " pp-kind-" + safeKind },
        kind === "peer"
          ? h("span", { class: "pp-tag", text: "Peer supporter" })
          : h("span", { class: "pp-sr", text: who + ": " }),
        h("div", { class: "pp-text", text: String(message.text || "") }),
        from === "me" ? null : sourceList(message.sources),
        from === "me" ? null : choiceButtons(message.buttons)
      );
    }
    log.append(el);
    scrollDown();
    if (from !== "me" && panel.hidden) {
      unread += 1;
      badge.textContent = String(unread);
      badge.append(h("span", { class: "pp-sr", text: " new" }));
      badge.hidden = false;
    }
    return el;
  }

  function notice(text) {
    render("bot", { text: text, kind: "notice" });
  }

  function renderAll(messages) {
    log.setAttribute("aria-busy", "true");
    log.textContent = "";
    render("bot", { text: cfg.greeting });
    (messages || []).forEach(function (m) {
      if (m && (m.text || (m.buttons && m.buttons.length))) render(m.from || "bot", m);
    });
    log.removeAttribute("aria-busy");
    unread = 0;
    badge.hidden = true;
  }

  // ---- hand-off and connection states ----------------------------------------

  var handoff = null; // the last {state, ticket_id, peer_name?} or null

  function handoffOpen() {
    return !!handoff && (handoff.state === "waiting" || handoff.state === "claimed");
  }

  function setHandoff(next) {
    var previous = handoff && handoff.state;
    handoff = next && typeof next.state === "string" ? next : null;
    var state = handoff ? handoff.state : null;
    var text = "";
    var style = state;
    if (state === "waiting") {
      text = "Waiting for a peer to join. You can keep writing while you wait.";
    } else if (state === "claimed") {
      var name = typeof handoff.peer_name === "string" ? handoff.peer_name : "";
      text = name ? name + ", a peer supporter, joined the chat." : "A peer joined the chat.";
    } else if (state === "message_left") {
      text = "Message left for the peer team. You're back with the assistant.";
    } else if (state || previous === "waiting" || previous === "claimed") {
      text = "You're back with the assistant.";
      style = "back";
    }
    stateBar.textContent = text;
    stateBar.className = "pp-bar pp-state-" + (style || "none");
    stateBar.hidden = !text;
    if (handoffOpen()) local.setItem(KEY_HANDOFF, "1");
    else local.removeItem(KEY_HANDOFF);
    updatePolling();
  }

  function setConnection(problem) {
    connBar.textContent = problem || "";
    connBar.hidden = !problem;
  }

  // ---- talking to the gateway ------------------------------------------------

  var ws = null;
  var wsReady = false;
  var everConnected = false;
  var failures = 0; // consecutive WebSocket attempts that never got a hello
  var retryTimer = null;
  var pending = []; // resolvers for WebSocket replies, in order
  var wanted = false; // connect only once the person opens the chat (or has one going)

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (!wanted || ws || typeof WebSocket !== "function") return;
    var sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch (e) {
      connectionFailed();
      return;
    }
    ws = sock;
    var greeted = false;
    sock.onopen = function () {
      sock.send(JSON.stringify({ type: "hello", session: session }));
    };
    sock.onmessage = function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (!data || typeof data !== "object") return;
      if (data.type === "hello" && !greeted) {
        greeted = true;
        keepSession(data.session);
        var resync = everConnected || handoffOpen();
        wsReady = true;
        everConnected = true;
        failures = 0;
        backoff = 0;
        setConnection("");
        updatePolling();
        if (resync) loadHistory(); // pushes may have been missed while away
        return;
      }
      if (data.type === "reply" || data.type === "error") {
        var resolver = pending.shift();
        if (resolver) resolver.resolve(data);
        return;
      }
      if (data.type === "push") (data.messages || []).forEach(show);
      if (data.type === "handoff") setHandoff(data);
    };
    sock.onerror = function () {}; // onclose follows with the details
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null;
      wsReady = false;
      pending.splice(0).forEach(function (r) {
        r.reject(new Error(LOST));
      });
      if (!greeted) failures += 1;
      connectionFailed();
    };
  }

  var backoff = 0;
  function connectionFailed() {
    updatePolling();
    if (failures >= 2 && !everConnected) {
      // WebSockets may be blocked here: check that plain HTTP works instead.
      probeHttp();
    } else if (everConnected) {
      setConnection("Reconnecting\u2026");
    }
    if (!wanted) return;
    backoff = Math.min(backoff + 1, 6);
    var delay = Math.min(30000, 1000 * Math.pow(2, backoff - 1)) * (0.8 + Math.random() * 0.4);
    retryTimer = setTimeout(function () {
      if (wsReady) return;
      connect();
    }, delay);
  }

  function disconnect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (ws) {
      var sock = ws;
      ws = null;
      wsReady = false;
      sock.onclose = null;
      sock.close();
    }
    pending.splice(0).forEach(function (r) {
      r.reject(new Error(LOST));
    });
    backoff = 0;
  }

  function viaSocket(text) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        var i = pending.indexOf(entry);
        if (i >= 0) pending.splice(i, 1);
        reject(new Error(CANT_SEND));
        if (ws) ws.close(); // a stuck socket: start again
      }, REPLY_TIMEOUT_MS);
      var entry = {
        resolve: function (data) {
          clearTimeout(timer);
          resolve(data);
        },
        reject: function (err) {
          clearTimeout(timer);
          reject(err);
        },
      };
      pending.push(entry);
      ws.send(JSON.stringify({ type: "message", text: text }));
    });
  }

  function ensureSession() {
    if (session) return Promise.resolve(session);
    return getJson(ORIGIN + "/api/session", { method: "POST" }).then(function (r) {
      if (!r.ok) throw new Error(r.body.error || CANT_SEND);
      keepSession(r.body.session);
      return session;
    });
  }

  function withSession(path, options, retried) {
    return ensureSession().then(function (token) {
      var headers = Object.assign({}, (options || {}).headers, {
        Authorization: "Bearer " + token,
      });
      return getJson(ORIGIN + path, Object.assign({}, options, { headers: headers })).then(
        function (r) {
          if (r.status !== 401 || retried) return r;
          forgetSession(); // no longer valid here (e.g. the install's secret changed)
          return withSession(path, options, true);
        }
      );
    });
  }

  function getJson(url, options) {
    return fetch(url, Object.assign({ credentials: "omit", mode: "cors" }, options)).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return { status: response.status, ok: response.ok, body: body || {} };
          });
      }
    );
  }

  function viaHttp(text) {
    return withSession("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text }),
    }).then(
      function (r) {
        setConnection("");
        if (r.ok || (r.status === 503 && Array.isArray(r.body.messages))) {
          return Object.assign({ type: "reply" }, r.body);
        }
        return { type: "error", error: r.body.error || CANT_SEND, status: r.status };
      },
      function () {
        setConnection(CANT_CONNECT);
        throw new Error(CANT_SEND);
      }
    );
  }

  function probeHttp() {
    withSession("/api/history").then(
      function (r) {
        if (!wsReady) setConnection(r.ok ? "" : CANT_CONNECT);
      },
      function () {
        if (!wsReady) setConnection(CANT_CONNECT);
      }
    );
  }

  // Messages go one at a time, in order, by WebSocket when it is up, else by HTTP.
  var queue = [];
  var busy = false;
  var expected = []; // texts shown here that a history poll will also return
  var sent = 0; // messages sent so far on this page

  function say(text, shown) {
    var clean = String(text || "").trim();
    if (!clean) return;
    render("me", { text: shown || clean });
    if (!shown) expected.push(clean);
    sent += 1;
    queue.push(clean);
    wanted = true;
    if (!ws) connect();
    pump();
  }

  function deliver(text) {
    return wsReady && ws ? viaSocket(text) : viaHttp(text);
  }

  function pump() {
    if (busy || !queue.length) return;
    busy = true;
    typing.hidden = false;
    var text = queue.shift();
    deliver(text)
      .then(handleReply, function (err) {
        notice(err && err.message ? err.message : CANT_SEND);
      })
      .then(function () {
        busy = false;
        typing.hidden = !queue.length;
        pump();
      });
  }

  /** Show a message from the gateway, remembering it so a history poll won't repeat it. */
  function show(message) {
    if (!message || typeof message !== "object") return;
    expected.push(String(message.text || ""));
    render("bot", message);
  }

  function handleReply(data) {
    if (data.type === "error") {
      notice(String(data.error || CANT_SEND));
      return;
    }
    var first = log.lastElementChild; // the person's own message
    (data.messages || []).forEach(show);
    if (data.handoff) setHandoff(data.handoff);
    // A long answer: show its beginning (and the question) rather than its end.
    if (first && log.scrollHeight - first.offsetTop > log.clientHeight) {
      log.scrollTop = Math.max(0, first.offsetTop - 12);
    }
  }

  function loadHistory() {
    if (!session) {
      renderAll([]);
      lastLength = 0;
      expected = [];
      return Promise.resolve();
    }
    var sentBefore = sent;
    return withSession("/api/history").then(
      function (r) {
        if (sent !== sentBefore) return; // the person wrote meanwhile: keep their screen
        if (!r.ok) {
          if (!log.firstChild) renderAll([]);
          return;
        }
        renderAll(r.body.messages);
        lastLength = (r.body.messages || []).length;
        expected = [];
        setHandoff(r.body.handoff || null);
      },
      function () {
        if (!log.firstChild) renderAll([]);
        if (!wsReady) setConnection(CANT_CONNECT);
      }
    );
  }

  // Without a WebSocket, a peer's replies are found by polling the history.
  var pollTimer = null;
  var lastLength = null;

  function updatePolling() {
    var need = handoffOpen() && !wsReady && !!session;
    if (need && !pollTimer) {
      pollTimer = setTimeout(poll, POLL_MS);
    } else if (!need && pollTimer) {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  function poll() {
    withSession("/api/history")
      .then(function (r) {
        if (!r.ok || wsReady) return;
        var messages = r.body.messages || [];
        if (lastLength === null || messages.length < lastLength) lastLength = messages.length;
        messages.slice(lastLength).forEach(function (m) {
          var seen = expected.indexOf(String(m.text || ""));
          if (seen >= 0) expected.splice(seen, 1);
          else render(m.from || "bot", m);
        });
        lastLength = messages.length;
        expected = [];
        setHandoff(r.body.handoff || null);
      })
      .catch(function () {})
      .then(function () {
        pollTimer = null;
        updatePolling();
      });
  }

  function startOver() {
    var old = handoff && handoff.state;
    var steps = [];
    if (session) {
      if (old === "waiting") steps.push("/cancel_handoff");
      if (old === "claimed") steps.push("/end_handoff");
      steps.push("/start_over");
    }
    var chain = Promise.resolve();
    steps.forEach(function (step) {
      chain = chain.then(function () {
        return deliver(step).catch(function () {});
      });
    });
    return chain.then(function () {
      disconnect();
      queue = [];
      forgetSession(); // the next hello (or request) starts a new session
      setHandoff(null);
      stateBar.hidden = true;
      loadHistory(); // a new session: just the greeting
      connect();
    });
  }

  // ---- opening, closing and the keyboard ---------------------------------------

  var historyLoaded = false;

  function openPanel(moveFocus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    perTab.setItem(KEY_OPEN, "1");
    unread = 0;
    badge.hidden = true;
    if (!historyLoaded) {
      historyLoaded = true;
      loadHistory();
    }
    wanted = true;
    connect();
    scrollDown();
    if (moveFocus) input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    confirmBar.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    perTab.removeItem(KEY_OPEN);
    launcher.focus();
  }

  closeButton.addEventListener("click", closePanel);
  restartButton.addEventListener("click", function () {
    confirmBar.hidden = false;
    confirmNo.focus();
  });
  confirmNo.addEventListener("click", function () {
    confirmBar.hidden = true;
    restartButton.focus();
  });
  confirmYes.addEventListener("click", function () {
    confirmBar.hidden = true;
    confirmYes.disabled = true;
    startOver().then(function () {
      confirmYes.disabled = false;
      input.focus();
    });
  });
  shell.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || panel.hidden) return;
    event.preventDefault();
    if (!confirmBar.hidden) {
      confirmBar.hidden = true;
      restartButton.focus();
    } else {
      closePanel();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    say(text);
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter makes a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  function mount() {
    document.body.append(host);
    if (perTab.getItem(KEY_OPEN) === "1") {
      openPanel(false); // back after a reload or a new page: open, but don't steal focus
    } else if (session && local.getItem(KEY_HANDOFF)) {
      // Someone is waiting for (or talking with) a peer: listen while the panel is closed.
      historyLoaded = true;
      loadHistory().then(function () {
        if (handoffOpen()) {
          wanted = true;
          connect();
        }
      });
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
