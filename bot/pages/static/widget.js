/* PeerPath chat widget: embed with one tag, no dependencies, no build step.
 *
 *   <script src="https://HOST/widget.js" data-title="Ask PeerPath" defer></script>
 *
 * Optional data- attributes: data-title, data-greeting, data-color (#rgb or
 * #rrggbb), data-position ("right" or "left"), data-remember-minutes (lowers the
 * gateway's WIDGET_REMEMBER_MINUTES for this page; "0" turns remembering off).
 *
 * It talks to the gateway that served this file (the script's own origin):
 * a WebSocket at /ws with reconnect and back-off, else POST /api/chat plus
 * polling /api/history while a hand-off is open. The session token lives in the
 * tab (sessionStorage): the conversation survives reloads and site navigation,
 * and a new tab or a closed browser starts fresh. Only when the gateway sets
 * WIDGET_REMEMBER_MINUTES is it also kept in localStorage, until that long
 * unused. The gateway refuses a session unused for SESSION_IDLE_MINUTES, or one
 * that was ended; the widget then starts a new, empty one. "End chat" erases the
 * conversation (/api/forget, which also revokes the token) and clears storage.
 *
 * Everything shown comes from the network and is inserted with textContent
 * (never innerHTML); links are shown only for http(s) URLs. The widget lives
 * in a shadow root so the host page's CSS and ours cannot collide.
 *
 * Three parts, wired together at the bottom of this file:
 *   createConnection()  the gateway: session token, WebSocket, HTTP fallback,
 *                       polling, echo de-duplication. It never touches the DOM.
 *   createView()        the shadow DOM: renders what it is given and reports what
 *                       the person does. It never touches the network.
 *   the controller      passes the person's intents to the connection and the
 *                       connection's news to the view.
 */
(() => {
  "use strict";
  if (window.__peerpathWidget) return; // loaded twice on one page
  window.__peerpathWidget = true;

  const script =
    document.currentScript ||
    Array.from(document.querySelectorAll('script[src*="widget.js"]')).pop();
  if (!script) return;
  const ORIGIN = new URL(script.src, location.href).origin;

  const KEY_SESSION = "peerpath:session"; // in the tab (sessionStorage)
  const KEY_REMEMBERED = "peerpath:remembered"; // on the device: {session, until, minutes}
  const KEY_OPEN = "peerpath:open";
  const KEY_HANDOFF = "peerpath:handoff"; // set while a hand-off is open: listen on every page
  const SESSION_RE = /^[A-Za-z0-9_-]{24}\.[0-9]{1,12}\.[A-Za-z0-9_-]{32}$/;
  const DEFAULT_COLOR = "#0b6e4f";
  const INK = "#1d2a33";
  const REPLY_TIMEOUT_MS = 60000;
  // A message whose reply was lost on the way (the socket dropped, a server behind the
  // proxy died) is sent once more by HTTP after this pause, with the same message id:
  // the gateway answers a repeated id with the reply it already gave, never twice.
  const RETRY_DELAY_MS = 800;
  const PROXY_ERRORS = [502, 503, 504];
  const POLL_MS = 4000;
  const CANT_CONNECT =
    "PeerPath can't connect right now. Please try again in a little while. " +
    "If you need to talk to someone now, call or text 988, any time.";
  const CANT_SEND =
    "Sorry, that message didn't go through. Please check your connection and try again.";
  const LOST =
    "The connection dropped while I was answering. If no reply appears, please send it again.";
  const SHARED_COMPUTER =
    "On a shared computer? Press \u201cEnd chat\u201d at the top when you're done to erase this chat.";
  const ENDED_TEXT = {
    erased: "Your chat has ended and was erased. Nothing of it is left on this device.",
    closed: "Your chat has ended. Nothing of it is left on this device.",
    failed:
      "Your chat is cleared from this device, but PeerPath couldn't be reached to erase it. " +
      "It closes on its own after a while unused.",
  };
  const EXPIRED =
    "Your earlier chat ended after a while without use, so this is a new one.";

  const list = (value) => (Array.isArray(value) ? value : []);
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A fresh id for one message (crypto.randomUUID needs a secure context: not always). */
  function newMessageId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "w-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const isMessage = (value) => !!value && typeof value === "object";

  // ---- configuration (data- attributes) --------------------------------------

  function hexColor(value) {
    let v = (value || "").trim();
    if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v)) return null;
    if (v.length === 4) v = "#" + v[1] + v[1] + v[2] + v[2] + v[3] + v[3];
    return v.toLowerCase();
  }

  function luminance(hex) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(a, b) {
    const la = luminance(a);
    const lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function readConfig(data) {
    let accent = hexColor(data.color) || DEFAULT_COLOR;
    // Keep WCAG AA: text on the accent colour is white or ink, whichever reads;
    // a colour that works with neither falls back to the default.
    let onAccent = contrast(accent, "#ffffff") >= 4.5 ? "#ffffff" : INK;
    if (contrast(accent, onAccent) < 4.5) {
      accent = DEFAULT_COLOR;
      onAccent = "#ffffff";
    }
    return {
      title: (data.title || "Ask PeerPath").trim().slice(0, 60) || "Ask PeerPath",
      greeting:
        (data.greeting || "").trim().slice(0, 500) ||
        "Hi, I'm PeerPath, an automated assistant. I can help with questions about peer " +
          "work, trainings, benefits and finding meaningful work. What's on your mind?",
      accent,
      onAccent,
      // Links sit on white: use the accent only if it is dark enough to read there.
      link: contrast(accent, "#ffffff") >= 4.5 ? accent : "#07573e",
      position: data.position === "left" ? "left" : "right",
      // A page may remember less than the gateway allows (never more).
      rememberMinutes: /^[0-9]{1,6}$/.test(data.rememberMinutes || "")
        ? Number(data.rememberMinutes)
        : null,
    };
  }

  // ---- storage that never throws (private modes, blocked storage) ------------

  function safeStorage(get) {
    try {
      const s = get();
      s.setItem("peerpath:probe", "1");
      s.removeItem("peerpath:probe");
      return s;
    } catch {
      const memory = new Map();
      return {
        getItem: (k) => (memory.has(k) ? memory.get(k) : null),
        setItem: (k, v) => void memory.set(k, String(v)),
        removeItem: (k) => void memory.delete(k),
      };
    }
  }

  // ---- where the session token is kept -----------------------------------------

  /**
   * The session token: always in the tab (`tab`, sessionStorage), and on the device
   * (`device`, localStorage) only while the gateway's "remember" allows, for that
   * long unused. A token left on the device past its time, or by an older widget
   * without one, is removed unread.
   *
   *   get()             the token to use, or null
   *   keep(token)       keep a token the gateway issued
   *   terms(data)       the gateway's {remember_minutes} (with a session or hello)
   *   touch()           the session was used: remembered for longer
   *   clear()           forget it everywhere
   */
  function createSessionStore({ tab, device, pageMinutes }) {
    let token = null;
    let minutes = 0;

    function readDevice() {
      try {
        const kept = JSON.parse(device.getItem(KEY_REMEMBERED) || "null");
        if (kept && SESSION_RE.test(kept.session) && Number(kept.until) > Date.now()) {
          return kept;
        }
      } catch {
        // not ours, or damaged: removed below
      }
      device.removeItem(KEY_REMEMBERED);
      device.removeItem(KEY_SESSION); // an older widget kept it here with no expiry
      return null;
    }

    function writeDevice() {
      if (token && minutes > 0) {
        const until = Date.now() + minutes * 60000;
        device.setItem(KEY_REMEMBERED, JSON.stringify({ session: token, until, minutes }));
      } else {
        device.removeItem(KEY_REMEMBERED);
      }
    }

    const inTab = tab.getItem(KEY_SESSION);
    const remembered = readDevice();
    if (inTab && SESSION_RE.test(inTab)) {
      token = inTab;
      if (remembered && remembered.session === inTab) minutes = Number(remembered.minutes) || 0;
    } else if (remembered) {
      token = remembered.session;
      minutes = Number(remembered.minutes) || 0;
      tab.setItem(KEY_SESSION, token);
    } else {
      tab.removeItem(KEY_SESSION);
    }

    return {
      get: () => token,
      keep(next) {
        token = next;
        tab.setItem(KEY_SESSION, next);
        writeDevice();
      },
      terms(data) {
        let allowed = Number(data && data.remember_minutes);
        allowed = Number.isFinite(allowed) && allowed > 0 ? allowed : 0;
        if (pageMinutes !== null) allowed = Math.min(allowed, pageMinutes);
        minutes = allowed;
        writeDevice();
      },
      touch() {
        if (minutes > 0) writeDevice();
      },
      clear() {
        token = null;
        tab.removeItem(KEY_SESSION);
        device.removeItem(KEY_REMEMBERED);
        device.removeItem(KEY_SESSION);
      },
    };
  }

  // ---- the connection: everything that talks to the gateway ------------------

  /**
   * The conversation with the gateway at `origin`. It owns the session token
   * (kept by `sessions`, a session store), the WebSocket with reconnect and back-off, the HTTP
   * fallback, polling while a hand-off is open without a socket, and the
   * bookkeeping that stops a poll from showing a message twice.
   *
   *   send(text, {echo})  queue one message (one at a time, in order). A Promise of
   *                       the reply {messages, handoff?, ...}; null if "start over"
   *                       dropped it unsent; rejected with an Error whose message can
   *                       be shown to the person. echo: false when history won't
   *                       return `text` as typed (a button's payload).
   *   loadHistory()       GET /api/history, reported through onHistory and onHandoff.
   *   start()             connect now and keep reconnecting (the chat is in use).
   *   startOver()         end a hand-off, restart the assistant, revoke and forget the session.
   *   endChat()           end a hand-off, erase the conversation on the gateway (which
   *                       revokes the token), forget the session. A Promise of "erased",
   *                       "closed" (the gateway had ended it already) or "failed".
   *   handoffOpen()       waiting for or talking with a peer.
   *   hasStoredHandoff()  an earlier page left a hand-off open: listen for it.
   *   onPush(cb(message, from))            a message nobody here asked for (peer, notice).
   *   onHandoff(cb(handoff, previous))     {state, ticket_id, peer_name?} or null, and
   *                                        the state before (null after a start over).
   *   onHistory(cb(messages | null))       the whole conversation; null if unavailable.
   *   onStatus(cb("ok" | "reconnecting" | "unreachable"))
   *   onEnded(cb())                        the gateway refused the session (idle too long,
   *                                        or ended elsewhere): a new one has begun
   */
  function createConnection({ origin, storage, sessions }) {
    const wsUrl = origin.replace(/^http/, "ws") + "/ws";
    const listeners = { push: [], handoff: [], history: [], status: [], ended: [] };
    const emit = (event, ...args) => listeners[event].forEach((callback) => callback(...args));
    const subscribe = (event) => (callback) => void listeners[event].push(callback);

    // The gateway issues the session (a signed token): from the WebSocket hello, or
    // POST /api/session when talking over HTTP.
    let session = sessions.get();

    function keepSession(token, terms) {
      if (typeof token === "string" && SESSION_RE.test(token) && token !== session) {
        session = token;
        sessions.keep(token);
      }
      if (terms) sessions.terms(terms);
    }

    function forgetSession() {
      session = null;
      sessions.clear();
    }

    /** The gateway refused our session: it ended (idle too long, or ended elsewhere). */
    function sessionEnded() {
      if (!session) return;
      const ended = session;
      forgetSession();
      if (ws && wsSession === ended) {
        disconnect();
        connect();
      }
      setHandoff(null, null);
      lastLength = 0;
      expected = [];
      emit("ended");
    }

    // ---- hand-off state

    let handoff = null; // the last {state, ticket_id, peer_name?} or null

    const handoffOpen = () =>
      !!handoff && (handoff.state === "waiting" || handoff.state === "claimed");

    function setHandoff(next, previous = handoff && handoff.state) {
      handoff = next && typeof next.state === "string" ? next : null;
      if (handoffOpen()) storage.setItem(KEY_HANDOFF, "1");
      else storage.removeItem(KEY_HANDOFF);
      updatePolling();
      emit("handoff", handoff, previous || null);
    }

    // ---- the WebSocket

    let ws = null;
    let wsSession = null; // the session the open socket said hello with
    let wsReady = false;
    let everConnected = false;
    let failures = 0; // consecutive WebSocket attempts that never got a hello
    let backoff = 0;
    let retryTimer = null;
    const pending = []; // resolvers for WebSocket replies, in order
    let wanted = false; // connect only once the person opens the chat (or has one going)

    function connect() {
      clearTimeout(retryTimer);
      retryTimer = null;
      if (!wanted || ws || typeof WebSocket !== "function") return;
      let sock;
      try {
        sock = new WebSocket(wsUrl);
      } catch {
        connectionFailed();
        return;
      }
      ws = sock;
      wsSession = null;
      let greeted = false;
      let offered = null; // the session this hello offers
      sock.onopen = () => {
        offered = session;
        sock.send(JSON.stringify({ type: "hello", session }));
      };
      sock.onmessage = (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        if (!isMessage(data)) return;
        if (data.type === "hello" && !greeted) {
          greeted = true;
          if (offered && data.session !== offered && session === offered) {
            sessionEnded(); // the gateway gave us a new session: ours had ended
          }
          keepSession(data.session, data);
          wsSession = session;
          const resync = everConnected || handoffOpen();
          wsReady = true;
          everConnected = true;
          failures = 0;
          backoff = 0;
          emit("status", "ok");
          updatePolling();
          if (resync) loadHistory(); // pushes may have been missed while away
          return;
        }
        if (data.type === "reply" || data.type === "error") {
          const waiting = pending.shift();
          if (waiting) waiting.resolve(data);
          return;
        }
        if (data.type === "push") pushed(data.messages);
        if (data.type === "handoff") setHandoff(data);
      };
      sock.onerror = () => {}; // onclose follows with the details
      sock.onclose = () => {
        if (ws !== sock) return;
        ws = null;
        wsReady = false;
        dropPending();
        if (!greeted) failures += 1;
        connectionFailed();
      };
    }

    function connectionFailed() {
      updatePolling();
      if (failures >= 2 && !everConnected) {
        // WebSockets may be blocked here: check that plain HTTP works instead.
        probeHttp();
      } else if (everConnected) {
        emit("status", "reconnecting");
      }
      if (!wanted) return;
      backoff = Math.min(backoff + 1, 6);
      const delay = Math.min(30000, 1000 * Math.pow(2, backoff - 1)) * (0.8 + Math.random() * 0.4);
      retryTimer = setTimeout(() => {
        if (!wsReady) connect();
      }, delay);
    }

    function disconnect() {
      clearTimeout(retryTimer);
      retryTimer = null;
      if (ws) {
        const sock = ws;
        ws = null;
        wsReady = false;
        sock.onclose = null;
        sock.close();
      }
      dropPending();
      backoff = 0;
    }

    function dropPending() {
      pending.splice(0).forEach((waiting) => waiting.reject(new Error(LOST)));
    }

    function viaSocket(text, messageId) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = pending.indexOf(entry);
          if (i >= 0) pending.splice(i, 1);
          reject(new Error(CANT_SEND));
          if (ws) ws.close(); // a stuck socket: start again
        }, REPLY_TIMEOUT_MS);
        const entry = {
          resolve(data) {
            clearTimeout(timer);
            resolve(data);
          },
          reject(err) {
            clearTimeout(timer);
            reject(err);
          },
        };
        pending.push(entry);
        ws.send(JSON.stringify({ type: "message", text, message_id: messageId }));
      });
    }

    // ---- plain HTTP

    /** fetch() and read the body as JSON: {status, ok, body}, body {} when it isn't JSON. */
    async function getJson(url, options) {
      const init = Object.assign({ credentials: "omit", mode: "cors" }, options);
      const response = await fetch(url, init);
      const body = await response.json().catch(() => ({}));
      return { status: response.status, ok: response.ok, body: body || {} };
    }

    async function ensureSession() {
      if (session) return session;
      const r = await getJson(origin + "/api/session", { method: "POST" });
      if (!r.ok) throw new Error(r.body.error || CANT_SEND);
      keepSession(r.body.session, r.body);
      return session;
    }

    function withToken(token, path, options = {}) {
      const headers = Object.assign({}, options.headers, { Authorization: "Bearer " + token });
      return getJson(origin + path, Object.assign({}, options, { headers }));
    }

    async function withSession(path, options = {}, retried = false) {
      const token = await ensureSession();
      const r = await withToken(token, path, options);
      if (r.ok) sessions.touch();
      if (r.status !== 401 || retried) return r;
      // Ended (idle too long, erased elsewhere) or not valid here (the install's secret
      // changed): start a new session, with nothing of the old one on screen.
      if (session === token) sessionEnded();
      return withSession(path, options, true);
    }

    async function viaHttp(text, messageId) {
      let r;
      try {
        r = await withSession("/api/chat", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text, message_id: messageId }),
        });
      } catch {
        emit("status", "unreachable");
        throw new Error(CANT_SEND);
      }
      emit("status", "ok");
      if (r.ok || (r.status === 503 && Array.isArray(r.body.messages))) {
        return Object.assign({ type: "reply" }, r.body);
      }
      return { type: "error", error: r.body.error || CANT_SEND, status: r.status };
    }

    async function probeHttp() {
      let reachable = false;
      try {
        reachable = (await withSession("/api/history")).ok;
      } catch {
        reachable = false;
      }
      if (!wsReady) emit("status", reachable ? "ok" : "unreachable");
    }

    // ---- messages: one at a time, in order, by WebSocket when it is up, else by HTTP

    const queue = []; // {text, id, resolve, reject}
    let busy = false;
    let expected = []; // texts shown here that a history poll will also return
    let sent = 0; // messages sent so far on this page

    const deliver = (job) =>
      wsReady && ws ? viaSocket(job.text, job.id) : viaHttp(job.text, job.id);

    /** Whether a try lost its reply on the way (null: it failed before any answer). */
    const lost = (data) => !data || (data.type === "error" && PROXY_ERRORS.includes(data.status));

    /** One message, delivered; when its reply is lost, sent once more by HTTP (same id). */
    function deliverOnce(job) {
      return deliver(job)
        .catch(() => null)
        .then((data) =>
          lost(data) ? pause(RETRY_DELAY_MS).then(() => viaHttp(job.text, job.id)) : data,
        );
    }

    function send(text, { echo = true } = {}) {
      if (echo) expected.push(text);
      sent += 1;
      const reply = new Promise((resolve, reject) =>
        queue.push({ text, id: newMessageId(), resolve, reject }),
      );
      wanted = true;
      if (!ws) connect();
      pump();
      return reply;
    }

    function pump() {
      if (busy || !queue.length) return;
      busy = true;
      const job = queue.shift();
      deliverOnce(job)
        .then((data) => {
          if (data.type === "error" && data.status === 401 && session) {
            sessionEnded(); // the socket's session ended: send it in a new one
            return viaHttp(job.text, job.id);
          }
          return data;
        })
        .then((data) => {
          if (data.type === "error") throw new Error(String(data.error || CANT_SEND));
          if (data.type === "reply") sessions.touch();
          job.resolve(answered(data));
        })
        .catch((err) => job.reject(err && err.message ? err : new Error(CANT_SEND)))
        .then(() => {
          busy = false;
          pump();
        });
    }

    /** A reply: remember its messages (a poll will return them too) and follow its hand-off. */
    function answered(data) {
      const messages = list(data.messages).filter(isMessage);
      messages.forEach((message) => expected.push(String(message.text || "")));
      if (data.handoff) setHandoff(data.handoff);
      return Object.assign({}, data, { messages });
    }

    /** Messages the gateway pushed unasked, remembered so a history poll won't repeat them. */
    function pushed(messages) {
      list(messages)
        .filter(isMessage)
        .forEach((message) => {
          expected.push(String(message.text || ""));
          emit("push", message, "bot");
        });
    }

    // ---- history, and polling it while a hand-off is open without a WebSocket

    let pollTimer = null;
    let lastLength = null;

    async function loadHistory() {
      if (!session) {
        lastLength = 0;
        expected = [];
        emit("history", []);
        return;
      }
      const sentBefore = sent;
      let r;
      try {
        r = await withSession("/api/history");
      } catch {
        emit("history", null);
        if (!wsReady) emit("status", "unreachable");
        return;
      }
      if (sent !== sentBefore) return; // the person wrote meanwhile: keep their screen
      if (!r.ok) {
        emit("history", null);
        return;
      }
      const messages = list(r.body.messages);
      emit("history", messages);
      lastLength = messages.length;
      expected = [];
      setHandoff(r.body.handoff || null);
    }

    function updatePolling() {
      const need = handoffOpen() && !wsReady && !!session;
      if (need && !pollTimer) {
        pollTimer = setTimeout(poll, POLL_MS);
      } else if (!need && pollTimer) {
        clearTimeout(pollTimer);
        pollTimer = null;
      }
    }

    async function poll() {
      try {
        const r = await withSession("/api/history");
        if (r.ok && !wsReady) caughtUp(r.body);
      } catch {
        // the next poll tries again
      }
      pollTimer = null;
      updatePolling();
    }

    /** Report what the history has beyond what was seen, except what this page showed itself. */
    function caughtUp(body) {
      const messages = list(body.messages);
      if (lastLength === null || messages.length < lastLength) lastLength = messages.length;
      messages
        .slice(lastLength)
        .filter(isMessage)
        .forEach((message) => {
          const seen = expected.indexOf(String(message.text || ""));
          if (seen >= 0) expected.splice(seen, 1);
          else emit("push", message, message.from || "bot");
        });
      lastLength = messages.length;
      expected = [];
      setHandoff(body.handoff || null);
    }

    // ---- starting over

    async function startOver() {
      const old = handoff && handoff.state;
      const steps = [];
      if (session) {
        if (old === "waiting") steps.push("/cancel_handoff");
        if (old === "claimed") steps.push("/end_handoff");
        steps.push("/start_over");
      }
      for (const step of steps) {
        try {
          await deliver({ text: step, id: newMessageId() });
        } catch {
          // start over here even if the gateway didn't hear it
        }
      }
      if (session) {
        // Revoke the old token: nobody can open that conversation again with it.
        await postJson(session, "/api/session/end").catch(() => null);
      }
      clearHere();
      loadHistory(); // a new session: just the greeting
      connect();
    }

    function postJson(token, path) {
      return withToken(token, path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
    }

    /** Forget everything of this session on this page and in storage. */
    function clearHere() {
      disconnect();
      queue.splice(0).forEach((job) => job.resolve(null)); // never sent: nothing to show
      forgetSession(); // the next hello (or request) starts a new session
      setHandoff(null, null); // a new conversation, not a return from a peer
      lastLength = 0;
      expected = [];
    }

    async function endChat() {
      let outcome = "closed";
      if (session) {
        const state = handoff && handoff.state;
        const step = { waiting: "/cancel_handoff", claimed: "/end_handoff" }[state];
        if (step) {
          try {
            // The peer hears the chat ended (never in a new session: no retry on a 401).
            if (wsReady && ws) await viaSocket(step, newMessageId());
            else await withToken(session, "/api/chat", {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ text: step }),
            });
          } catch {
            // /api/forget below closes the hand-off too
          }
        }
        try {
          const r = await postJson(session, "/api/forget"); // erases, and revokes the token
          outcome = r.ok ? "erased" : r.status === 401 ? "closed" : "failed";
        } catch {
          outcome = "failed";
        }
      }
      clearHere();
      wanted = false; // no new session until the person writes again
      return outcome;
    }

    return {
      send,
      loadHistory,
      startOver,
      endChat,
      start() {
        wanted = true;
        connect();
      },
      handoffOpen,
      hasStoredHandoff: () => !!session && !!storage.getItem(KEY_HANDOFF),
      onPush: subscribe("push"),
      onHandoff: subscribe("handoff"),
      onHistory: subscribe("history"),
      onStatus: subscribe("status"),
      onEnded: subscribe("ended"),
    };
  }

  // ---- the view: the widget's DOM, text only, never markup from data ----------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") el.textContent = value;
      else if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    });
    children.forEach((child) => {
      if (child !== null && child !== undefined) el.append(child); // strings become text nodes
    });
    return el;
  }

  function safeUrl(raw) {
    try {
      const url = new URL(String(raw || ""), ORIGIN);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  const CSS = [
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
    ".pp-head .pp-end { background: var(--pp-on-accent); color: var(--pp-accent);",
    "  border-color: var(--pp-on-accent); font-weight: 700; }",
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

  const ICON =
    "M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";

  /**
   * The widget on the page: a launcher and a panel in a shadow root. It renders
   * what it is given and tells `intents` what the person does:
   *
   *   intents.opened()                the panel opened      intents.closed()  it closed
   *   intents.typed(text)             the person sent text
   *   intents.chose(payload, title)   they tapped a reply button
   *   intents.startOver()             they confirmed "start over"; a Promise, done when cleared
   *   intents.endChat()               they confirmed "end chat"; a Promise of the line to show
   *
   * Returns {mount, open, render, notice, showReply, showHistory, showHandoff,
   * showConnection, setTyping, restart, showsConversation}.
   */
  function createView(cfg, intents) {
    const host = h("div", { id: "peerpath-widget" });
    host.style.setProperty("--pp-accent", cfg.accent);
    host.style.setProperty("--pp-on-accent", cfg.onAccent);
    host.style.setProperty("--pp-link", cfg.link);
    const root = host.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
      try {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS); // not an inline <style>: works under a strict host CSP
        root.adoptedStyleSheets = [sheet];
      } catch {
        root.append(h("style", { text: CSS }));
      }
    } else {
      root.append(h("style", { text: CSS }));
    }

    const SVG = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", ICON);
    svg.append(path);

    const badge = h("span", { class: "pp-badge", hidden: true });
    const launcher = h(
      "button",
      {
        type: "button",
        class: "pp-launcher",
        "aria-expanded": "false",
        "aria-controls": "pp-panel",
        onclick: () => (panel.hidden ? open(true) : close()),
      },
      svg,
      h("span", { text: cfg.title }),
      badge
    );

    const restartButton = h("button", { type: "button", class: "pp-restart", text: "Start over" });
    const closeButton = h("button", {
      type: "button",
      class: "pp-close",
      "aria-label": "Close chat",
      text: "\u00d7",
    });
    const endButton = h("button", {
      type: "button",
      class: "pp-end",
      "aria-label": "End chat and erase it",
      text: "End chat",
    });
    const confirmYes = h("button", { type: "button", class: "pp-yes", text: "Yes, start over" });
    const confirmNo = h("button", { type: "button", text: "Keep this conversation" });
    const confirmBar = h(
      "div",
      { class: "pp-bar pp-confirm", role: "group", "aria-labelledby": "pp-restart-q", hidden: true },
      h("p", {
        id: "pp-restart-q",
        text: "Start over? This clears the conversation here, and it can't be opened again.",
      }),
      confirmYes,
      confirmNo
    );
    const endYes = h("button", { type: "button", class: "pp-yes", text: "Yes, end and erase" });
    const endNo = h("button", { type: "button", text: "Keep chatting" });
    const endBar = h(
      "div",
      { class: "pp-bar pp-confirm", role: "group", "aria-labelledby": "pp-end-q", hidden: true },
      h("p", {
        id: "pp-end-q",
        text:
          "End this chat and erase it? PeerPath deletes the conversation, and this device " +
          "keeps nothing of it.",
      }),
      endYes,
      endNo
    );
    const stateBar = h("p", { class: "pp-bar", role: "status", hidden: true });
    const connBar = h("p", { class: "pp-bar pp-conn", role: "status", hidden: true });
    const log = h("div", {
      class: "pp-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    const typing = h(
      "div",
      { class: "pp-typing", hidden: true },
      h("span", { class: "pp-dot", "aria-hidden": "true" }),
      h("span", { class: "pp-dot", "aria-hidden": "true" }),
      h("span", { class: "pp-dot", "aria-hidden": "true" }),
      h("span", { class: "pp-sr", text: "PeerPath is writing a reply" })
    );
    const input = h("textarea", {
      id: "pp-input",
      rows: "1",
      maxlength: "2000",
      autocomplete: "off",
      placeholder: "Type your message",
    });
    const form = h(
      "form",
      { class: "pp-form" },
      h("label", { for: "pp-input", class: "pp-sr", text: "Your message" }),
      input,
      h("button", { type: "submit", class: "pp-send", text: "Send" })
    );
    const panel = h(
      "section",
      {
        id: "pp-panel",
        class: "pp-panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "pp-title",
        hidden: true,
      },
      h(
        "div",
        { class: "pp-head" },
        h("h2", { id: "pp-title", text: cfg.title }),
        restartButton,
        endButton,
        closeButton
      ),
      confirmBar,
      endBar,
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
    const shell = h("div", { class: "pp", "data-position": cfg.position }, panel, launcher);
    root.append(shell);

    // ---- messages

    let unread = 0;

    const scrollDown = () => {
      log.scrollTop = log.scrollHeight;
    };

    function choiceButtons(buttons) {
      const valid = list(buttons).filter(
        (b) => b && typeof b.title === "string" && typeof b.payload === "string" && b.payload
      );
      if (!valid.length) return null;
      const group = h("div", { class: "pp-choices", role: "group", "aria-label": "Choices" });
      valid.forEach((b) => {
        group.append(
          h("button", {
            type: "button",
            text: b.title,
            onclick: () => {
              intents.chose(b.payload, b.title);
              input.focus();
            },
          })
        );
      });
      return group;
    }

    function sourceList(sources) {
      const items = list(sources)
        .filter((s) => s && s.title)
        .map((s) => {
          const href = safeUrl(s.url);
          const label = s.section ? `${s.title} \u2014 ${s.section}` : String(s.title);
          if (!href) return h("li", {}, label);
          return h(
            "li",
            {},
            h(
              "a",
              { href, target: "_blank", rel: "noopener noreferrer", text: label },
              h("span", { class: "pp-sr", text: " (opens in a new tab)" })
            )
          );
        });
      if (!items.length) return null;
      return h("ul", { class: "pp-sources", "aria-label": "Sources" }, ...items);
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
      let kind = typeof message.kind === "string" ? message.kind : "";
      if (from === "peer") kind = "peer";
      let el;
      if (kind === "crisis" && from !== "me") {
        el = crisisBox(message);
      } else {
        const mine = from === "me";
        const who = mine ? "You" : kind === "peer" ? "Peer supporter" : "PeerPath";
        const safeKind = /^[a-z_]{1,20}$/.test(kind) ? kind : "answer";
        el = h(
          "div",
          { class: `pp-msg pp-from-${mine ? "me" : "bot"} pp-kind-${safeKind}` },
          kind === "peer"
            ? h("span", { class: "pp-tag", text: "Peer supporter" })
            : h("span", { class: "pp-sr", text: who + ": " }),
          h("div", { class: "pp-text", text: String(message.text || "") }),
          mine ? null : sourceList(message.sources),
          mine ? null : choiceButtons(message.buttons)
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

    const notice = (text) => render("bot", { text, kind: "notice" });

    function renderAll(messages) {
      log.setAttribute("aria-busy", "true");
      log.textContent = "";
      render("bot", { text: cfg.greeting + "\n" + SHARED_COMPUTER });
      list(messages).forEach((m) => {
        if (m && (m.text || (m.buttons && m.buttons.length))) render(m.from || "bot", m);
      });
      log.removeAttribute("aria-busy");
      unread = 0;
      badge.hidden = true;
    }

    /** The whole conversation; null when it couldn't be loaded (then at least the greeting). */
    function showHistory(messages) {
      if (messages) renderAll(messages);
      else if (!log.firstChild) renderAll([]);
    }

    /** A fresh start: just the greeting, then `line` (what happened to the old chat), if any. */
    function restart(line) {
      renderAll([]);
      if (line) notice(line);
    }

    /** Whether more than the greeting is on screen. */
    const showsConversation = () => log.childElementCount > 1;

    /** The answer to what the person just sent. */
    function showReply(messages) {
      const first = log.lastElementChild; // the person's own message
      messages.forEach((message) => render("bot", message));
      // A long answer: show its beginning (and the question) rather than its end.
      if (first && log.scrollHeight - first.offsetTop > log.clientHeight) {
        log.scrollTop = Math.max(0, first.offsetTop - 12);
      }
    }

    // ---- hand-off and connection states

    function showHandoff(handoff, previous) {
      const state = handoff ? handoff.state : null;
      let text = "";
      let style = state;
      if (state === "waiting") {
        text = "Waiting for a peer to join. You can keep writing while you wait.";
      } else if (state === "claimed") {
        const name = typeof handoff.peer_name === "string" ? handoff.peer_name : "";
        text = name ? `${name}, a peer supporter, joined the chat.` : "A peer joined the chat.";
      } else if (state === "message_left") {
        text = "Message left for the peer team. You're back with the assistant.";
      } else if (state || previous === "waiting" || previous === "claimed") {
        text = "You're back with the assistant.";
        style = "back";
      }
      stateBar.textContent = text;
      stateBar.className = "pp-bar pp-state-" + (style || "none");
      stateBar.hidden = !text;
    }

    const CONNECTION_TEXT = {
      ok: "",
      reconnecting: "Reconnecting\u2026",
      unreachable: CANT_CONNECT,
    };

    function showConnection(status) {
      const text = CONNECTION_TEXT[status] || "";
      connBar.textContent = text;
      connBar.hidden = !text;
    }

    const setTyping = (on) => {
      typing.hidden = !on;
    };

    // ---- opening, closing and the keyboard

    function open(moveFocus) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      unread = 0;
      badge.hidden = true;
      intents.opened();
      scrollDown();
      if (moveFocus) input.focus();
    }

    function close() {
      panel.hidden = true;
      confirmBar.hidden = true;
      endBar.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      intents.closed();
      launcher.focus();
    }

    function cancelStartOver() {
      confirmBar.hidden = true;
      restartButton.focus();
    }

    function cancelEnd() {
      endBar.hidden = true;
      endButton.focus();
    }

    closeButton.addEventListener("click", close);
    restartButton.addEventListener("click", () => {
      endBar.hidden = true;
      confirmBar.hidden = false;
      confirmNo.focus();
    });
    // Ending asks first; the safe choice has the focus, so Enter or Escape keeps the chat.
    endButton.addEventListener("click", () => {
      confirmBar.hidden = true;
      endBar.hidden = false;
      endNo.focus();
    });
    endNo.addEventListener("click", cancelEnd);
    endYes.addEventListener("click", () => {
      endYes.disabled = true;
      endBar.hidden = true;
      intents.endChat().then((line) => {
        endYes.disabled = false;
        restart(line); // the line is in the log, which screen readers hear (aria-live)
        input.focus();
      });
    });
    confirmNo.addEventListener("click", cancelStartOver);
    confirmYes.addEventListener("click", () => {
      confirmBar.hidden = true;
      confirmYes.disabled = true;
      intents.startOver().then(() => {
        confirmYes.disabled = false;
        input.focus();
      });
    });
    shell.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || panel.hidden) return;
      event.preventDefault();
      if (!confirmBar.hidden) cancelStartOver();
      else if (!endBar.hidden) cancelEnd();
      else close();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value;
      if (!text.trim()) return;
      input.value = "";
      intents.typed(text);
    });
    input.addEventListener("keydown", (event) => {
      // Enter sends; Shift+Enter makes a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit"));
      }
    });

    return {
      mount: () => document.body.append(host),
      open,
      render,
      notice,
      showReply,
      showHistory,
      showHandoff,
      showConnection,
      setTyping,
      restart,
      showsConversation,
    };
  }

  // ---- the controller: the person's intents to the connection, its news to the view

  const cfg = readConfig(script.dataset || {});
  const local = safeStorage(() => window.localStorage);
  const perTab = safeStorage(() => window.sessionStorage);
  const sessions = createSessionStore({
    tab: perTab,
    device: local,
    pageMinutes: cfg.rememberMinutes,
  });
  const connection = createConnection({ origin: ORIGIN, storage: perTab, sessions });
  let historyLoaded = false; // loaded once per page, when first needed
  let unanswered = 0; // messages sent and not yet answered: the typing indicator shows
  let chat = 0; // which chat this is: replies to an ended one are not shown
  const waiting = []; // what the person sent that has no reply yet, as shown

  function loadHistoryOnce() {
    if (historyLoaded) return Promise.resolve();
    historyLoaded = true;
    return connection.loadHistory();
  }

  /** Show what the person sent (a button shows its title) and send it. */
  function say(text, shown) {
    const clean = String(text || "").trim();
    if (!clean) return;
    const mine = { text: shown || clean };
    const current = chat;
    view.render("me", mine);
    waiting.push(mine);
    unanswered += 1;
    view.setTyping(true);
    connection
      .send(clean, { echo: !shown })
      .then(
        (reply) => reply && current === chat && view.showReply(reply.messages),
        (err) => current === chat && view.notice(err && err.message ? err.message : CANT_SEND)
      )
      .then(() => {
        if (waiting.indexOf(mine) >= 0) waiting.splice(waiting.indexOf(mine), 1);
        unanswered = Math.max(0, unanswered - 1);
        view.setTyping(unanswered > 0);
      });
  }

  const view = createView(cfg, {
    opened() {
      perTab.setItem(KEY_OPEN, "1");
      loadHistoryOnce();
      connection.start();
    },
    closed() {
      perTab.removeItem(KEY_OPEN);
    },
    typed: (text) => say(text),
    chose: (payload, title) => say(payload, title),
    startOver: () => {
      chat += 1;
      return connection.startOver();
    },
    endChat: () => {
      chat += 1;
      waiting.splice(0);
      unanswered = 0;
      view.setTyping(false);
      return connection.endChat().then((outcome) => ENDED_TEXT[outcome] || ENDED_TEXT.failed);
    },
  });

  connection.onPush((message, from) => view.render(from, message));
  connection.onHandoff((handoff, previous) => view.showHandoff(handoff, previous));
  connection.onHistory((messages) => view.showHistory(messages));
  connection.onStatus((status) => view.showConnection(status));
  connection.onEnded(() => {
    // The gateway refused the old session: nothing of it stays on screen. What the
    // person is sending now goes to the new session, so it stays.
    view.restart(view.showsConversation() ? EXPIRED : "");
    waiting.forEach((mine) => view.render("me", mine));
  });

  function mount() {
    view.mount();
    if (perTab.getItem(KEY_OPEN) === "1") {
      view.open(false); // back after a reload or a new page: open, but don't steal focus
    } else if (connection.hasStoredHandoff()) {
      // Someone is waiting for (or talking with) a peer: listen while the panel is closed.
      loadHistoryOnce().then(() => {
        if (connection.handoffOpen()) connection.start();
      });
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
