/* The peer staff console (/staff): sign in with a token, watch the hand-off
 * queue live (/ws/staff), claim, chat with the person and end the chat.
 * Every call sends "Authorization: Bearer <token>"; the token is kept in
 * sessionStorage only. What people write is shown with textContent only. */
(function () {
  "use strict";

  var TOKEN_KEY = "peerpath:staff-token";
  var CLOSED = { ended: true, cancelled: true, expired: true };
  var TOPICS = {
    work: "Work and jobs",
    benefits: "Benefits",
    training: "Trainings",
    talk: "Just wants to talk",
    other: "No topic given",
    "crisis-self": "Crisis: saw the crisis card (988 first)",
    "crisis-self-emergency": "Crisis: their own life in danger now (saw 911 first, Poison Control)",
    "crisis-bystander": "Crisis: someone else in danger (saw the bystander card, 911 first)",
  };

  function $(id) {
    return document.getElementById(id);
  }

  var h = window.PeerPathDom.h;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      var memory = {};
      return {
        getItem: function (k) {
          return memory[k] || null;
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
  var store = storage();

  var token = store.getItem(TOKEN_KEY) || "";
  var myName = "";
  var tickets = {}; // id -> staff view of the ticket
  var fetchedAt = {}; // id -> when waiting_seconds was true
  var unread = {}; // id -> true when a person wrote and the ticket isn't open here
  var current = null; // the id of the ticket shown in the conversation pane
  var socket = null;
  var retries = 0;
  var retryTimer = null;
  var pollTimer = null;

  // ---- the API -----------------------------------------------------------------

  function ApiError(message, status) {
    this.message = message;
    this.status = status;
  }

  function api(path, method, body) {
    var options = { method: method || "GET", headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return window.PeerPathDom.fetchJson(path, options).then(
      function (result) {
        if (result.status === 401 && path !== "/api/staff/me") {
          signOut("Your token wasn't accepted any more. Please sign in again.");
        }
        if (!result.ok) {
          var message = result.body.error || "That didn't work. Please try again.";
          throw new ApiError(message, result.status);
        }
        return result.body;
      },
      function () {
        throw new ApiError("Can't reach PeerPath. Check the connection and try again.", 0);
      }
    );
  }

  // ---- signing in and out ------------------------------------------------------------

  function signIn(candidate) {
    token = candidate;
    return api("/api/staff/me").then(function (data) {
      myName = String(data.name || "");
      store.setItem(TOKEN_KEY, token);
      $("me").textContent = myName;
      $("login").hidden = true;
      $("console").hidden = false;
      $("login-error").textContent = "";
      loadQueue();
      connectLive();
      $("queue-heading").setAttribute("tabindex", "-1");
      $("queue-heading").focus();
    });
  }

  function signOut(message) {
    token = "";
    myName = "";
    store.removeItem(TOKEN_KEY);
    clearTimeout(retryTimer);
    clearInterval(pollTimer);
    pollTimer = null;
    if (socket) {
      var old = socket;
      socket = null;
      old.onclose = null;
      old.close();
    }
    tickets = {};
    current = null;
    $("console").hidden = true;
    $("login").hidden = false;
    $("ticket").hidden = true;
    $("chat-hint").hidden = false;
    $("login-error").textContent = message || "";
    $("token").value = "";
    $("token").focus();
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var candidate = $("token").value.trim();
    if (!candidate) return;
    signIn(candidate).catch(function (err) {
      token = "";
      $("login-error").textContent =
        err.status === 401 ? "That token wasn't accepted. Check it and try again." : err.message;
    });
  });
  $("sign-out").addEventListener("click", function () {
    signOut("You're signed out.");
  });

  // ---- the queue -------------------------------------------------------------------

  function waitingText(ticket) {
    var since = (Date.now() - (fetchedAt[ticket.id] || Date.now())) / 1000;
    var seconds = (ticket.waiting_seconds || 0) + since;
    var minutes = Math.floor(seconds / 60);
    if (minutes < 1) return "just now";
    if (minutes < 60) return minutes + (minutes === 1 ? " minute ago" : " minutes ago");
    var hours = Math.floor(minutes / 60);
    return hours + (hours === 1 ? " hour ago" : " hours ago");
  }

  function stateText(ticket) {
    if (ticket.state === "claimed") {
      if (ticket.peer_name === myName) return "Claimed by you";
      return "Claimed by " + (ticket.peer_name || "another peer");
    }
    if (ticket.state === "waiting") return ticket.callback ? "Left a message" : "Waiting";
    return ticket.state.charAt(0).toUpperCase() + ticket.state.slice(1);
  }

  function channelText(ticket) {
    return ticket.channel === "telegram" ? "Telegram" : "Web chat";
  }

  function topicText(ticket) {
    return TOPICS[ticket.topic] || String(ticket.topic || "No topic given");
  }

  function remember(ticket) {
    if (!ticket || !ticket.id) return;
    if (CLOSED[ticket.state]) {
      delete tickets[ticket.id];
    } else {
      tickets[ticket.id] = ticket;
      fetchedAt[ticket.id] = Date.now();
    }
  }

  function sorted() {
    return Object.keys(tickets)
      .map(function (id) {
        return tickets[id];
      })
      .sort(function (a, b) {
        if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
        return (b.waiting_seconds || 0) - (a.waiting_seconds || 0);
      });
  }

  function renderQueue() {
    var list = $("queue");
    // Rebuilding the list must not pull focus away from a button someone is on.
    var focused = list.contains(document.activeElement)
      ? document.activeElement.closest("[data-ticket-id]")
      : null;
    var focusedId = focused ? focused.getAttribute("data-ticket-id") : null;
    list.textContent = "";
    var all = sorted();
    $("queue-empty").hidden = all.length > 0;
    all.forEach(function (t) {
      var badges = h("p");
      if (t.urgent) badges.append(h("span", { class: "badge urgent", text: "Urgent" }));
      badges.append(h("span", { class: "badge state-" + t.state, text: stateText(t) }));
      if (t.callback) badges.append(h("span", { class: "badge callback", text: "Callback" }));
      if (unread[t.id]) badges.append(h("span", { class: "badge new", text: "New message" }));
      var classes = "ticket" + (t.urgent ? " urgent" : "") + (t.id === current ? " current" : "");
      list.append(
        h(
          "li",
          { class: classes, "data-ticket-id": t.id, "data-state": t.state },
          badges,
          h("p", { text: topicText(t) + " \u00b7 " + channelText(t) }),
          h("p", {
            class: "muted small",
            text:
              "Asked " + waitingText(t) + " \u00b7 " + t.messages +
              (t.messages === 1 ? " message" : " messages") +
              (t.in_hours === false ? " \u00b7 outside hours" : ""),
          }),
          h("button", {
            type: "button",
            class: "open",
            text: t.id === current ? "Showing" : "Open",
            "aria-label":
              (t.id === current ? "Showing: " : "Open: ") +
              (t.urgent ? "urgent, " : "") + topicText(t) + ", " + stateText(t),
            onclick: function () {
              openTicket(t.id, true);
            },
          })
        )
      );
    });
    if (focusedId) {
      var again = list.querySelector('[data-ticket-id="' + CSS.escape(focusedId) + '"] button');
      if (again) again.focus();
    }
    document.title = (all.length ? "(" + all.length + ") " : "") + "Staff console \u00b7 PeerPath";
  }

  function loadQueue() {
    return api("/api/staff/tickets").then(
      function (data) {
        tickets = {};
        (data.tickets || []).forEach(remember);
        renderQueue();
      },
      function (err) {
        $("live").textContent = err.message;
      }
    );
  }

  // ---- one conversation ----------------------------------------------------------------

  function threadItem(message) {
    var from = message.from === "peer" ? "peer" : "person";
    return h(
      "li",
      { class: "from-" + from },
      h("span", { class: "who", text: from === "peer" ? "Peer" : "Person" }),
      String(message.text || "")
    );
  }

  function renderTicketMeta(ticket) {
    var meta = $("ticket-meta");
    meta.textContent = "";
    if (ticket.urgent) meta.append(h("span", { class: "badge urgent", text: "Urgent" }), " ");
    meta.append(
      topicText(ticket) + " \u00b7 " + stateText(ticket) + " \u00b7 asked " + waitingText(ticket)
    );
    var mine = ticket.state === "claimed" && ticket.peer_name === myName;
    $("claim").hidden = ticket.state !== "waiting";
    $("end").hidden = CLOSED[ticket.state] || (ticket.state === "claimed" && !mine);
    $("reply-form").hidden = !mine;
  }

  function showClosed(state) {
    $("ticket-meta").textContent =
      state === "ended" ? "This chat has ended." : "This request was " + state + ".";
    $("claim").hidden = true;
    $("end").hidden = true;
    $("reply-form").hidden = true;
  }

  function openTicket(id, moveFocus) {
    current = id;
    delete unread[id];
    $("chat-error").textContent = "";
    return api("/api/staff/tickets/" + encodeURIComponent(id)).then(
      function (data) {
        if (current !== id) return;
        $("chat-hint").hidden = true;
        $("ticket").hidden = false;
        var ticket = data.ticket;
        remember(ticket);
        renderQueue();
        if (CLOSED[ticket.state]) showClosed(ticket.state);
        else renderTicketMeta(ticket);
        var box = $("callback");
        box.textContent = "";
        box.hidden = !data.callback;
        if (data.callback) {
          box.append(
            h("strong", { text: "Message left: " }),
            String(data.callback.message || "(none)"),
            h("br"),
            h("strong", { text: "How to reach them: " }),
            String(data.callback.contact || "(none)")
          );
        }
        var thread = $("thread");
        thread.textContent = "";
        (data.messages || []).forEach(function (m) {
          thread.append(threadItem(m));
        });
        thread.scrollTop = thread.scrollHeight;
        if (moveFocus) $("chat-heading").focus();
      },
      function (err) {
        $("chat-error").textContent = err.message;
      }
    );
  }

  $("claim").addEventListener("click", function () {
    if (!current) return;
    var id = current;
    $("chat-error").textContent = "";
    api("/api/staff/tickets/" + encodeURIComponent(id) + "/claim", "POST").then(
      function (data) {
        remember(data.ticket);
        renderQueue();
        renderTicketMeta(data.ticket);
        $("reply").focus();
      },
      function (err) {
        $("chat-error").textContent = err.message;
        loadQueue();
        openTicket(id, false);
      }
    );
  });

  $("end").addEventListener("click", function () {
    if (!current) return;
    var id = current;
    $("chat-error").textContent = "";
    api("/api/staff/tickets/" + encodeURIComponent(id) + "/end", "POST").then(
      function (data) {
        remember(data.ticket);
        renderQueue();
        showClosed(data.ticket.state);
      },
      function (err) {
        $("chat-error").textContent = err.message;
      }
    );
  });

  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("reply");
    var text = field.value.trim();
    if (!text || !current) return;
    var id = current;
    $("chat-error").textContent = "";
    api("/api/staff/tickets/" + encodeURIComponent(id) + "/messages", "POST", { text: text }).then(
      function () {
        field.value = "";
        // The live socket echoes it into the thread; without it, fetch the thread again.
        if (!live()) openTicket(id, false);
      },
      function (err) {
        $("chat-error").textContent = err.message;
      }
    );
  });

  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });

  // ---- live updates --------------------------------------------------------------------

  function live() {
    return !!socket && socket.readyState === WebSocket.OPEN && socket.greeted;
  }

  function connectLive() {
    clearTimeout(retryTimer);
    if (!token || socket) return;
    var url = location.origin.replace(/^http/, "ws") + "/ws/staff";
    var sock = new WebSocket(url);
    socket = sock;
    sock.onopen = function () {
      sock.send(JSON.stringify({ token: token }));
    };
    sock.onmessage = function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data.type === "hello") {
        sock.greeted = true;
        retries = 0;
        clearInterval(pollTimer);
        pollTimer = null;
        $("live").textContent = "Live: the queue updates by itself.";
        loadQueue();
        if (current) openTicket(current, false);
      } else if (data.type === "ticket" && data.ticket) {
        var isNew = !tickets[data.ticket.id] && !CLOSED[data.ticket.state];
        remember(data.ticket);
        renderQueue();
        if (isNew) {
          $("live").textContent =
            (data.ticket.urgent ? "Urgent request" : "New request") + ": " + topicText(data.ticket);
        }
        if (data.ticket.id === current) {
          if (CLOSED[data.ticket.state]) showClosed(data.ticket.state);
          else renderTicketMeta(data.ticket);
        }
      } else if (data.type === "message") {
        if (data.ticket_id === current) {
          $("thread").append(threadItem(data));
          $("thread").scrollTop = $("thread").scrollHeight;
        } else if (data.from === "person") {
          unread[data.ticket_id] = true;
        }
        var t = tickets[data.ticket_id];
        if (t) t.messages = (t.messages || 0) + 1;
        renderQueue();
      }
    };
    sock.onclose = function () {
      if (socket !== sock) return;
      socket = null;
      if (!token) return;
      $("live").textContent = "Reconnecting\u2026 the queue refreshes every 15 seconds meanwhile.";
      if (!pollTimer) pollTimer = setInterval(loadQueue, 15000);
      retries = Math.min(retries + 1, 6);
      var delay = Math.min(30000, 1000 * Math.pow(2, retries - 1)) * (0.8 + Math.random() * 0.4);
      retryTimer = setTimeout(connectLive, delay);
    };
  }

  setInterval(function () {
    if (token && Object.keys(tickets).length) renderQueue();
  }, 30000);

  if (token) {
    signIn(token).catch(function () {
      signOut("Please sign in.");
    });
  } else {
    $("token").focus();
  }
})();
