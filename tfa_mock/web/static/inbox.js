// The web inbox of the tfa mock: renders /_mock/page, follows /_mock/events and calls
// the control API for every action. Data only ever reaches the DOM as text
// (textContent, Text nodes, attribute values), never as HTML.
"use strict";

(function () {
  const tokenMeta = document.querySelector('meta[name="tfa-control-token"]');
  const token = tokenMeta ? tokenMeta.getAttribute("content") : null;
  const byId = (id) => document.getElementById(id);

  let state = JSON.parse(byId("tfa-state").textContent);
  let receivedAt = performance.now();
  const rendered = {}; // section name -> the JSON it was last drawn from
  let staleStep = null; // the TOTP boundary already asked about

  // -- the control API ---------------------------------------------------------------

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    const init = { method: method, headers: headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      throw new Error((data && data.message) || "HTTP " + response.status);
    }
    return data;
  }

  let inFlight = false;
  let again = false;

  function refresh() {
    if (inFlight) {
      again = true; // one more fetch once this one is back
      return;
    }
    inFlight = true;
    api("GET", "/_mock/page")
      .then((fresh) => {
        state = fresh;
        receivedAt = performance.now();
        render();
      })
      .catch((error) => notice("Could not refresh: " + error.message, true))
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function act(button, method, path, body, done) {
    button.disabled = true;
    api(method, path, body)
      .then((data) => {
        if (done) notice(done(data), false);
        refresh();
      })
      .catch((error) => {
        notice(error.message, true);
        refresh(); // what the page showed was probably out of date
      })
      .finally(() => {
        button.disabled = false;
      });
  }

  // -- small helpers -----------------------------------------------------------------

  // el("p", {class: "x", text: "y"}, child...) - strings become Text nodes.
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else if (name === "class") node.className = value;
      else if (name === "onclick") node.addEventListener("click", value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  function mockNow() {
    const clock = state.clock;
    if (clock.frozen) return clock.now;
    return clock.now + (performance.now() - receivedAt) / 1000;
  }

  function utc(seconds) {
    return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  function hms(seconds) {
    return new Date(seconds * 1000).toISOString().slice(11, 19);
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 120) return s + " s";
    if (s < 7200) return Math.floor(s / 60) + " min";
    if (s < 172800) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    return Math.floor(s / 86400) + " d";
  }

  let noticeTimer = null;

  function notice(text, isError) {
    const node = byId("notice");
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
    node.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      node.hidden = true;
    }, isError ? 8000 : 3000);
  }

  function copyButton(codeNode) {
    const button = el("button", { type: "button", class: "copy", text: "Copy" });
    button.addEventListener("click", () => {
      const text = codeNode.textContent;
      const copied = () => {
        button.textContent = "Copied";
        setTimeout(() => {
          button.textContent = "Copy";
        }, 1500);
      };
      const selectIt = () => {
        // Without the clipboard API (plain http on another host): select the
        // code so that the user can copy it, and try the old command.
        const range = document.createRange();
        range.selectNodeContents(codeNode);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        let ok = false;
        try {
          ok = document.execCommand("copy");
        } catch (e) {
          ok = false;
        }
        if (ok) copied();
        else notice("Code selected: press Ctrl+C (or long-press) to copy", false);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(copied, selectIt);
      } else {
        selectIt();
      }
    });
    return button;
  }

  function once(name, data, draw) {
    const key = JSON.stringify(data);
    if (rendered[name] === key) return;
    rendered[name] = key;
    draw();
  }

  // -- sections ----------------------------------------------------------------------

  function render() {
    document.body.dataset.version = String(state.version);
    once("messages", [state.messages, state.messages_total], renderMessages);
    // The countdowns tick locally: a new seconds_left alone redraws nothing.
    const phones = [
      state.users.map((u) => ({
        ...u,
        totp: u.totp.code,
        generic_totp: u.generic_totp && u.generic_totp.code,
      })),
      state.approval_requests,
      state.users_total,
    ];
    once("phones", phones, renderPhones);
    once("deliveries", state.deliveries, renderDeliveries);
    once("faults", state.faults, renderFaults);
    once("clock", state.clock.frozen, renderClockButtons);
    tick();
  }

  function renderMessages() {
    const list = byId("messages");
    const items = state.messages.map((m) => {
      const code = m.code !== null ? el("span", { class: "code", text: m.code }) : null;
      return el(
        "li",
        { class: "message", "data-id": m.id, "data-channel": m.channel },
        el(
          "div",
          { class: "meta" },
          el("span", { class: "badge channel-" + m.channel, text: m.channel }),
          el("span", { class: "to", text: m.to }),
          el("time", { class: "when", title: utc(m.created_at), text: hms(m.created_at) }),
          el("span", { class: "purpose", text: m.purpose.replace(/_/g, " ") }),
        ),
        code ? el("div", { class: "code-row" }, code, copyButton(code)) : null,
        el("p", { class: "body", text: m.body }),
      );
    });
    list.replaceChildren(...items);
    byId("messages-empty").hidden = items.length > 0;
    const shown = state.messages.length;
    byId("messages-count").textContent =
      state.messages_total > shown
        ? "(newest " + shown + " of " + state.messages_total + ")"
        : shown ? "(" + shown + ")" : "";
  }

  function totpBlock(kind, label, view) {
    const code = el("span", { class: "code", text: view.code });
    const fill = el("span", { class: "fill" });
    return el(
      "div",
      {
        class: "totp totp-" + kind,
        "data-period": view.period,
        "data-step": Math.floor(state.clock.now / view.period),
      },
      el("div", { class: "label", text: label + " · " + view.digits + " digits, " + view.period + " s" }),
      el("div", { class: "code-row" }, code, copyButton(code)),
      el(
        "div",
        { class: "countdown" },
        el("span", { class: "track" }, fill),
        el("span", { class: "seconds", text: view.seconds_left + " s" }),
      ),
    );
  }

  function approvalCard(doc) {
    const details = doc.details ? Object.entries(doc.details) : [];
    const created = Date.parse(doc.created_at) / 1000;
    const expiresAt = doc.seconds_to_expire ? created + doc.seconds_to_expire : null;
    const base = "/_mock/approval_requests/" + encodeURIComponent(doc.uuid);
    const approve = el("button", { type: "button", class: "approve", text: "Approve" });
    const deny = el("button", { type: "button", class: "deny", text: "Deny" });
    approve.addEventListener("click", () =>
      act(approve, "POST", base + "/approve", undefined, (d) => "Approved: " + d.approval_request.message),
    );
    deny.addEventListener("click", () =>
      act(deny, "POST", base + "/deny", undefined, (d) => "Denied: " + d.approval_request.message),
    );
    return el(
      "div",
      { class: "approval", "data-uuid": doc.uuid },
      el("p", { class: "approval-message", text: doc.message }),
      details.length
        ? el("dl", { class: "details" }, ...details.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]))
        : null,
      el(
        "p",
        { class: "approval-meta" },
        el("span", { class: "status", text: doc.status }),
        " · created " + doc.created_at.replace("T", " ").replace("Z", " UTC") + " · ",
        el("span", {
          class: "expires",
          "data-expires-at": expiresAt,
          text: expiresAt === null ? "never expires" : "",
        }),
      ),
      el("div", { class: "actions" }, approve, deny),
    );
  }

  function renderPhones() {
    const byUser = new Map();
    for (const doc of state.approval_requests) {
      if (!byUser.has(doc._authy_id)) byUser.set(doc._authy_id, []);
      byUser.get(doc._authy_id).push(doc);
    }
    const cards = state.users.map((u) => {
      const requests = byUser.get(u.id) || [];
      byUser.delete(u.id);
      const device = u.device
        ? el("p", { class: "device" }, "Device: " + u.device.kind + " #" + u.device.id)
        : el("p", { class: "device none" }, "No device installed");
      return el(
        "article",
        { class: "phone", "data-user-id": u.id },
        el(
          "header",
          {},
          el("h3", { class: "email", text: u.email }),
          el("p", { class: "who", text: u.phone + " · user " + u.id + " · " + u.app_name }),
        ),
        device,
        totpBlock("device", "App code", u.totp),
        u.generic_totp ? totpBlock("generic", "Authenticator", u.generic_totp) : null,
        u.qr_url
          ? el("img", { class: "qr", src: u.qr_url, alt: "Enrollment QR code of " + u.email, width: 160, height: 160 })
          : null,
        el(
          "div",
          { class: "approvals" },
          requests.length ? el("h4", { text: "Approval requests" }) : null,
          ...requests.map(approvalCard),
        ),
      );
    });
    byId("phones").replaceChildren(...cards);
    byId("phones-empty").hidden = cards.length > 0;
    byId("phones-count").textContent =
      state.users_total > cards.length ? "(newest " + cards.length + " of " + state.users_total + ")" : "";
    const orphans = [...byUser.values()].flat();
    byId("orphans").replaceChildren(...orphans.map(approvalCard));
    byId("orphans-section").hidden = orphans.length === 0;
  }

  function renderDeliveries() {
    const items = state.deliveries.map((d) => {
      const last = d.last_attempt;
      const outcome = last
        ? last.status_code !== null
          ? "last answer " + last.status_code
          : "last error: " + (last.error || "none")
        : "not attempted yet";
      const redeliver = el("button", { type: "button", class: "redeliver", text: "Redeliver" });
      redeliver.addEventListener("click", () =>
        act(redeliver, "POST", "/_mock/callbacks/" + d.id + "/redeliver", undefined, (r) =>
          "Delivery " + r.id + ": " + r.status,
        ),
      );
      return el(
        "li",
        { class: "delivery", "data-id": d.id, "data-status": d.status },
        el(
          "div",
          { class: "meta" },
          el("span", { class: "badge status-" + d.status, text: d.status }),
          el("span", { text: "#" + d.id + " " + d.event }),
          el("span", { class: "uuid", text: d.approval_request_uuid }),
        ),
        el("p", { class: "target", text: d.method + " " + d.url }),
        el(
          "p",
          { class: "attempts" },
          d.attempts + (d.attempts === 1 ? " attempt, " : " attempts, ") + outcome,
          d.next_attempt_at !== null ? " · next at " + hms(d.next_attempt_at) : "",
        ),
        el("div", { class: "actions" }, redeliver),
      );
    });
    byId("deliveries").replaceChildren(...items);
    byId("deliveries-empty").hidden = items.length > 0;
  }

  function renderFaults() {
    const items = state.faults.map((f) => {
      const parts = ["#" + f.id, f.endpoint];
      if (f.to) parts.push("to " + f.to);
      if (f.status !== null) parts.push("answers " + f.status + "/" + f.error_code + " " + f.message);
      if (f.drop_message) parts.push("drops the message");
      if (f.delay_ms) parts.push("delay " + f.delay_ms + " ms");
      parts.push(f.times + (f.times === 1 ? " time left" : " times left"));
      return el("li", { class: "fault", "data-id": f.id, text: parts.join(" · ") });
    });
    byId("faults").replaceChildren(...items);
    byId("faults-section").hidden = items.length === 0;
  }

  function renderClockButtons() {
    const button = byId("clock-freeze");
    button.textContent = state.clock.frozen ? "Unfreeze" : "Freeze";
    button.dataset.action = state.clock.frozen ? "unfreeze" : "freeze";
    byId("clock-state").textContent = state.clock.frozen ? "frozen" : "running";
    byId("clock").classList.toggle("frozen", state.clock.frozen);
  }

  // -- the local tick: clock, countdowns, expiries ---------------------------------

  function tick() {
    const now = mockNow();
    byId("clock-time").textContent = utc(Math.floor(now));
    let stale = null;
    for (const block of document.querySelectorAll(".totp")) {
      const period = Number(block.dataset.period);
      const left = period - (Math.floor(now) % period);
      block.querySelector(".seconds").textContent = left + " s";
      block.querySelector(".fill").style.width = (100 * left) / period + "%";
      const step = Math.floor(now / period);
      if (step !== Number(block.dataset.step)) stale = period + ":" + step;
    }
    for (const node of document.querySelectorAll(".expires[data-expires-at]")) {
      const left = Number(node.dataset.expiresAt) - now;
      node.textContent = left > 0 ? "expires in " + duration(left) : "expired";
    }
    // A code rolled over on the running clock: ask the mock for the new one (once).
    if (stale !== null && stale !== staleStep) {
      staleStep = stale;
      refresh();
    }
  }

  // -- wiring ----------------------------------------------------------------------

  for (const button of document.querySelectorAll(".clock-actions button")) {
    button.addEventListener("click", () => {
      const action = button.dataset.action;
      const body = action === "advance" ? { advance: Number(button.dataset.seconds) } : { [action]: true };
      act(button, "POST", "/_mock/clock", body, (c) => "Clock: " + utc(c.now) + (c.frozen ? " (frozen)" : ""));
    });
  }

  function setLive(live) {
    const node = byId("live");
    node.textContent = live ? "live" : "reconnecting";
    node.classList.toggle("on", live);
  }

  function connect() {
    if (!window.EventSource) return;
    const url = "/_mock/events" + (token ? "?control_token=" + encodeURIComponent(token) : "");
    const source = new EventSource(url);
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("error", () => setLive(false));
    source.addEventListener("change", (event) => {
      let version = null;
      try {
        version = JSON.parse(event.data).version;
      } catch (e) {
        version = null;
      }
      if (version !== state.version) refresh();
    });
  }

  render();
  connect();
  setInterval(tick, 250);
  setInterval(refresh, 5000); // a fallback when events do not get through
})();
