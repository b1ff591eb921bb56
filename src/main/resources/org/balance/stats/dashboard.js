// The dashboard of balance's statistics endpoint: polls /status.json and /history.json once a second and
// draws the groups and channels as the operator thinks of them. Nothing is loaded from anywhere else.
// Changes (enable, disable, maxc) send the instance's token in the X-Balance-Token header, never a cookie.
"use strict";

const TOKEN_KEY = "balance-token";
let token = sessionStorage.getItem(TOKEN_KEY) || "";
let rendered = "";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function bytes(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)) + " " + units[i];
}

function duration(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}

function clock(t) {
  return new Date(t * 1000).toLocaleTimeString();
}

function setText(id, text) {
  document.getElementById(id).textContent = text;
}

// The skeleton of the tables changes only when groups or channels do; the numbers are filled in every poll.
function build(status) {
  const groups = document.getElementById("groups");
  groups.replaceChildren();
  for (const g of status.groups) {
    const table = el("table", {},
      el("thead", {}, el("tr", {}, ...["#", "S", "address", "port", "c", "totalc", "maxc", "sent", "rcvd",
        "failed connects", status.checks ? "check" : null, "throughput, last 5 minutes", "actions"]
        .filter(h => h !== null).map(h => el("th", { class: h === "address" ? "address" : "" }, h)))),
      el("tbody"));
    const tbody = table.tBodies[0];
    for (const c of g.channels) {
      const key = g.group + "." + c.channel;
      const maxc = el("input", { type: "number", min: "0", class: "maxc-input", "aria-label": "maxc" });
      const row = el("tr", { "data-channel": key },
        el("td", { class: "channel" }, String(c.channel)),
        el("td", { class: "state" }, el("span")),
        el("td", { class: "address" }, c.host === c.ip ? c.ip : c.host + " (" + c.ip + ")"),
        el("td", { class: "port" }, String(c.port)),
        el("td", { class: "c" }), el("td", { class: "totalc" }), el("td", { class: "maxc" }),
        el("td", { class: "sent" }), el("td", { class: "rcvd" }), el("td", { class: "failures" }),
        ...(status.checks ? [el("td", { class: "check" })] : []),
        el("td", { class: "chart" }, el("canvas", { width: "240", height: "36" })),
        el("td", { class: "actions" },
          el("button", { class: "enable", type: "button" }, "enable"), " ",
          el("button", { class: "disable", type: "button" }, "disable"), " ",
          maxc, " ", el("button", { class: "set-maxc", type: "button" }, "maxc")));
      row.querySelector(".enable").addEventListener("click", () => change("enable", g.group, c.channel));
      row.querySelector(".disable").addEventListener("click", () => change("disable", g.group, c.channel));
      row.querySelector(".set-maxc").addEventListener("click", () => change("maxc", g.group, c.channel, maxc.value));
      tbody.append(row);
    }
    groups.append(el("div", { class: "group", "data-group": String(g.group) },
      el("h2", {}, "group " + g.group + " \u00b7 " + (g.type === "RR" ? "round robin" : "hash")), table,
      el("div", { class: "legend" }, el("b", { class: "sent" }, "\u2014 sent"), " to the server, ",
        el("b", { class: "rcvd" }, "\u2014 rcvd"), " from it, bytes per second")));
  }
}

function shape(status) {
  return JSON.stringify(status.groups.map(g => [g.group, g.channels.map(c => [c.channel, c.ip, c.port])]))
    + status.checks;
}

function fill(status) {
  setText("version", status.version);
  setText("pid", status.pid);
  setText("uptime", duration(status.time - status.started));
  setText("in-progress", status.in_progress);
  setText("accepted", status.accepted);
  setText("unavailable", status.unavailable);
  setText("fds", status.open_fds < 0 ? "-" : status.open_fds + " / " + status.max_fds);
  for (const g of status.groups) {
    for (const c of g.channels) {
      const row = document.querySelector('tr[data-channel="' + g.group + "." + c.channel + '"]');
      const state = row.querySelector(".state span");
      state.textContent = c.state;
      state.className = c.state;
      row.querySelector(".c").textContent = c.c;
      row.querySelector(".totalc").textContent = c.totalc;
      row.querySelector(".maxc").textContent = c.maxc;
      row.querySelector(".sent").textContent = bytes(c.sent);
      row.querySelector(".sent").title = c.sent + " bytes";
      row.querySelector(".rcvd").textContent = bytes(c.rcvd);
      row.querySelector(".rcvd").title = c.rcvd + " bytes";
      const f = c.connect.refused + c.connect.timeout + c.connect.other;
      const failures = row.querySelector(".failures");
      failures.textContent = f;
      failures.title = "refused " + c.connect.refused + ", timeout " + c.connect.timeout + ", other " + c.connect.other;
      if (status.checks) {
        const check = row.querySelector(".check");
        check.textContent = c.check + (c.last_check ? " \u00b7 " + c.last_check : "");
      }
      for (const b of row.querySelectorAll("button")) b.disabled = !token;
      row.querySelector(".enable").disabled = !token || c.state === "ENA";
      row.querySelector(".disable").disabled = !token || c.state === "DIS";
    }
  }
  const list = document.getElementById("changes");
  if (status.changes.length) {
    list.replaceChildren(...status.changes.slice().reverse().map(x => el("li", {},
      clock(x.time) + "  group " + x.group + " channel " + x.channel + " (" + x.address + "): " + x.from + " \u2192 " + x.to)));
  }
}

function draw(history) {
  for (const [key, s] of Object.entries(history.channels)) {
    const canvas = document.querySelector('tr[data-channel="' + key + '"] canvas');
    if (!canvas) continue;
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#f1f3f6";
    ctx.fillRect(0, 0, w, h);
    const max = Math.max(1, ...s.sent, ...s.rcvd);
    const line = (values, color) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      const n = 300;
      values.forEach((v, i) => {
        const x = w - (values.length - 1 - i) * (w / (n - 1));
        const y = h - 2 - (v / max) * (h - 4);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    };
    line(s.sent, "#2f6fdf");
    line(s.rcvd, "#8a3ffc");
    canvas.title = "peak " + bytes(max) + "/s";
  }
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const [st, hi] = await Promise.all([fetch("status.json", { cache: "no-store" }), fetch("history.json", { cache: "no-store" })]);
    if (!st.ok || !hi.ok) throw new Error("HTTP " + st.status + "/" + hi.status);
    const s = await st.json();
    const h = await hi.json();
    const sh = shape(s);
    if (sh !== rendered) { build(s); rendered = sh; }
    fill(s);
    draw(h);
    status.textContent = "updated " + clock(s.time);
    window.lastStatusTime = s.time;
    status.className = "";
    document.body.dataset.ready = "true";
  } catch (e) {
    status.textContent = "cannot reach balance: " + e.message;
    status.className = "error";
  }
}

async function change(what, group, channel, maxc) {
  const status = document.getElementById("status");
  let url = "api/" + what + "?group=" + group + "&channel=" + channel;
  if (what === "maxc") url += "&maxc=" + encodeURIComponent(maxc || "");
  const r = await fetch(url, { method: "POST", headers: { "X-Balance-Token": token } });
  const body = await r.json().catch(() => ({}));
  if (r.status === 403) {
    showMode(false, "token refused");
  } else {
    status.textContent = body.answer || body.error || ("HTTP " + r.status);
  }
  poll();
}

function showMode(ok, text) {
  const mode = document.getElementById("mode");
  mode.textContent = text || (ok ? "changes allowed" : "read-only");
  mode.className = ok ? "changes" : "read-only";
  if (!ok) { token = ""; sessionStorage.removeItem(TOKEN_KEY); }
}

document.getElementById("token-form").addEventListener("submit", e => {
  e.preventDefault();
  const input = document.getElementById("token");
  token = input.value.trim();
  input.value = "";
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  showMode(!!token, token ? "token set" : "read-only");
  poll();
});

if (token) showMode(true, "token set");
poll();
setInterval(poll, 1000);
