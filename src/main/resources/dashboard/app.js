// The anyclaude dashboard: renders /cache/stats as the gateway pushes it over /dashboard/events (once a second).
// Everything shown comes from that one document; nothing is computed here that the gateway does not report.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => (n == null || n < 0) ? "–" : Number(n).toLocaleString("en-US");
  const pct = (part, whole) => whole > 0 ? (100 * part / whole).toFixed(1) + " %" : "–";
  const ms = (v) => (v == null || v < 0) ? "–" : v >= 1000 ? (v / 1000).toFixed(2) + " s" : v + " ms";
  const shortStream = (s) => {
    if (!s) return "–";
    const [session, agent] = s.split("/");
    return agent ? session.slice(0, 8) + "…/" + agent.slice(0, 6) : s.slice(0, 14);
  };
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text != null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function row(cells) {
    const tr = document.createElement("tr");
    for (const c of cells) {
      const td = c instanceof Node ? (() => { const t = el("td"); t.appendChild(c); return t; })()
        : el("td", c.text, c.cls);
      tr.appendChild(td);
    }
    return tr;
  }
  function kv(obj, indent) {
    if (obj == null) return "–";
    const pad = "  ".repeat(indent || 0);
    const item = (x) => (x !== null && typeof x === "object")
      ? Object.entries(x).map(([a, b]) => a + "=" + (typeof b === "object" ? JSON.stringify(b) : b)).join(", ") : x;
    return Object.entries(obj).map(([k, v]) => (v !== null && typeof v === "object" && !Array.isArray(v))
      ? pad + k + ":\n" + kv(v, (indent || 0) + 1)
      : Array.isArray(v) ? pad + k + ":" + (v.length ? "\n" + v.map((x) => pad + "  - " + item(x)).join("\n") : " none")
      : pad + k + ": " + v).join("\n");
  }

  function backend(b) {
    if (!b) return;
    const parts = [b.kind + (b.flavor ? " (" + b.flavor + ")" : ""), b.model || "model from the request",
      "context " + fmt(b.context_tokens) + " tokens", b.ready ? "ready" : "NOT READY: " + b.reason];
    if (b.launched) parts.push("launched pid " + b.launched.pid + ", " + b.launched.state + ", restarts "
      + b.launched.restarts);
    parts.push("up " + Math.round(b.uptime_seconds / 60) + " min");
    $("backend").textContent = parts.join(" · ");
    $("backend").title = b.launched ? b.launched.command : (b.url || "");
  }

  function totals(r) {
    const t = r.totals, box = $("totals");
    $("window").textContent = Math.round(r.window_seconds / 60);
    box.replaceChildren();
    const cards = [["requests", fmt(t.requests)], ["reuse_ratio", (100 * t.reuse_ratio).toFixed(1) + " %", "prompt reused"],
      ["reused_tokens", fmt(t.reused_tokens), "prompt tokens reused"],
      ["processed_tokens", fmt(t.processed_tokens), "prompt tokens processed"],
      ["l2_hits", fmt(t.l2_hits), "L2 hits"], ["ttft_p50_ms", ms(t.ttft_p50_ms), "first token p50"],
      ["ttft_p95_ms", ms(t.ttft_p95_ms), "first token p95"],
      ["errors", Object.entries(t.errors).map(([k, v]) => k + " " + v).join(", ") || "none", "errors"]];
    for (const [key, value, label] of cards) {
      const c = el("div", null, "card");
      c.dataset.k = key;
      c.appendChild(el("div", value, "v" + (key === "errors" && value !== "none" ? " bad" : "")));
      c.appendChild(el("div", label || key, "k"));
      box.appendChild(c);
    }
  }

  function streams(r) {
    const body = $("streams").tBodies[0];
    body.replaceChildren();
    const byStream = {};
    for (const q of r.recent) (byStream[q.stream] = byStream[q.stream] || []).push(q);
    const maxPrompt = Math.max(1, ...r.recent.map((q) => q.promptTokens));
    for (const s of r.streams) {
      const bars = el("div", null, "bars");
      for (const q of byStream[s.stream] || []) {
        const bar = el("div", null, "bar" + (q.outcome !== "ok" ? " err" : ""));
        const width = 8 + 80 * q.promptTokens / maxPrompt;
        const reused = q.promptTokens > 0 ? q.reusedTokens / q.promptTokens : 0;
        const rPart = el("span", null, "r"), pPart = el("span", null, "p");
        rPart.style.width = (width * reused) + "px";
        pPart.style.width = (width * (1 - reused)) + "px";
        bar.append(rPart, pPart);
        bar.title = "#" + q.seq + ": " + fmt(q.reusedTokens) + " reused, " + fmt(q.processedTokens) + " processed, first token "
          + ms(q.ttftMs) + (q.cache === "hit" ? ", L2 hit" : "") + (q.divergence ? "\n" + q.divergence : "");
        bars.appendChild(bar);
      }
      const tr = row([{ text: shortStream(s.stream) }, { text: s.kind }, { text: fmt(s.requests), cls: "num" },
        { text: pct(s.reused_tokens, s.prompt_tokens), cls: "num" }, bars, { text: s.last_divergence || "never" }]);
      tr.dataset.stream = s.stream;
      tr.title = s.stream;
      body.appendChild(tr);
    }
  }

  function recent(r) {
    const body = $("recent").tBodies[0];
    body.replaceChildren();
    for (const q of r.recent.slice().reverse().slice(0, 40)) {
      const tr = row([{ text: q.seq }, { text: new Date(q.at).toLocaleTimeString() }, { text: q.kind },
        { text: shortStream(q.stream) }, { text: fmt(q.promptTokens), cls: "num" },
        { text: fmt(q.reusedTokens), cls: "num" }, { text: fmt(q.processedTokens), cls: "num" },
        { text: ms(q.ttftMs), cls: "num" }, { text: fmt(q.outputTokens), cls: "num" },
        { text: q.tokensPerSecond < 0 ? "–" : q.tokensPerSecond, cls: "num" }, { text: q.cache },
        { text: q.outcome === "ok" ? "ok" : q.errorKind || q.outcome, cls: q.outcome === "ok" ? "" : "bad" },
        { text: q.divergence || "" }]);
      tr.dataset.id = q.id;
      body.appendChild(tr);
    }
  }

  let plot = null;
  function chart(r) {
    const rows = r.recent;
    const data = [rows.map((q) => q.seq),
      rows.map((q) => q.promptTokens > 0 ? 100 * q.reusedTokens / q.promptTokens : null),
      rows.map((q) => q.ttftMs >= 0 ? q.ttftMs / 1000 : null)];
    if (typeof uPlot === "undefined") return;
    if (!plot) {
      plot = new uPlot({
        width: Math.min(1100, document.body.clientWidth - 60), height: 220,
        scales: { x: { time: false }, pct: { range: [0, 100] }, s: {} },
        axes: [{ label: "request #", incrs: [1, 2, 5, 10, 20, 50, 100] }, { scale: "pct", label: "reused %" }, { scale: "s", side: 1, label: "first token, s", grid: { show: false } }],
        series: [{ label: "request" }, { label: "prompt reused %", scale: "pct", stroke: "#3fb950", width: 2 },
          { label: "time to first token (s)", scale: "s", stroke: "#f0883e", width: 2 }]
      }, data, $("chart"));
    } else {
      plot.setData(data);
    }
  }

  let updates = 0;
  function render(doc) {
    backend(doc.backend);
    if (doc.requests) { totals(doc.requests); streams(doc.requests); recent(doc.requests); chart(doc.requests); }
    $("l1").textContent = kv(doc.l1);
    $("memory").textContent = kv(doc.memory);
    $("l2").textContent = kv(doc.l2 || doc.response_cache);
    if (doc.safeguards) $("safeguards").textContent = kv(doc.safeguards);
    updates++;
    $("updates").textContent = updates;
    $("live").textContent = "live, " + new Date().toLocaleTimeString();
    $("live-dot").className = "dot on";
  }

  const source = new EventSource("/dashboard/events" + location.search);
  source.addEventListener("stats", (e) => {
    try {
      render(JSON.parse(e.data));
      $("error").textContent = "";
    } catch (err) {
      $("error").textContent = "the page could not show the figures: " + err;
    }
  });
  source.onerror = () => { $("live").textContent = "reconnecting…"; $("live-dot").className = "dot"; };
})();
