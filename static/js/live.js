// The live interview page: renders the first state, then applies websocket events.
// Every row is keyed by id, so an event seen twice changes nothing; events carry a
// gap-free seq, and on a gap or a drop the page reconnects with ?after_seq=<last>.
//
// Codes (types, severities, topics, roles, speakers) are never shown as codes: their
// words come from the server in the page's language (#live-labels, built by
// interviews/labels.py, the one place that turns a code into words).
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const t = (s) => (window.gettext ? window.gettext(s) : s);
  const initial = JSON.parse(document.getElementById("live-state").textContent);
  const L = JSON.parse(document.getElementById("live-labels").textContent);
  const interviewId = root.dataset.interviewId;
  const canChange = root.dataset.canChange === "true";
  const csrf = root.dataset.csrf;

  const state = {
    lastSeq: Number(root.dataset.lastSeq) || 0,
    interview: initial.interview,
    transcripts: new Map(),
    insights: new Map(),
    flags: { ...(initial.flags || {}) },
    filter: "",
    retry: 0,
    stopped: false,
    loaded: false, // after the first render: only later critical alerts pulse
  };

  const el = (id) => document.getElementById(id);
  const transcriptList = el("transcript");
  const insightList = el("insights");
  const conn = el("conn");

  // --- Words for codes (interviews/labels.py) -------------------------------
  const fill = (format, value) => format.replace("%s", value);
  function readable(code) {
    const text = String(code || "").trim();
    if (!/^[a-z0-9]+(?:[_-][a-z0-9]+)+$/.test(text)) return text;
    const words = text.replace(/[_-]+/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  const typeLabel = (code) => L.type[code] || readable(code);
  const severityLabel = (code) => (code ? L.severity[code] || readable(code) : "");
  const sentimentLabel = (code) => (code ? L.sentiment[code] || readable(code) : "");
  function topicLabel(topic) {
    if (!topic) return "";
    if (L.topic[topic]) return L.topic[topic];
    if (topic.startsWith("requirement:")) {
      const key = topic.slice("requirement:".length);
      return fill(L.requirement_format, L.requirement[key] || key);
    }
    return readable(topic);
  }
  function speakerLabel(speaker) {
    const m = /^speaker_(\d+)$/.exec(speaker || "");
    return m ? fill(L.speaker_format, Number(m[1]) + 1) : speaker || "?";
  }
  function roleLabel(role) {
    return L.role[role] || t("Unassigned");
  }

  function roleOf(speaker) {
    const roles = state.interview.roles || {};
    if (roles.host === speaker) return "host";
    if (roles.guest === speaker) return "guest";
    return null;
  }

  // Time since the interview started, as interviews/presenters.py clock(): mm:ss,
  // or h:mm:ss past an hour.
  function clock(ms) {
    const s = Math.max(Math.floor((ms || 0) / 1000), 0);
    const h = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
    const ss = String(s % 60).padStart(2, "0");
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function setConn(kind, text) {
    conn.className = "conn conn-" + kind;
    conn.textContent = text;
    root.dataset.connection = kind;
  }

  function showError(text) {
    const box = el("live-error");
    box.textContent = text;
    box.hidden = !text;
  }

  function span(cls, text) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  // --- Options kept in this browser: focus mode, pulse and sound (off by default)
  const store = {
    get: (key) => { try { return localStorage.getItem(key); } catch (e) { return null; } },
    set: (key, value) => { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } },
  };
  const options = {
    pulse: store.get("ic.live.pulse") === "1",
    sound: store.get("ic.live.sound") === "1",
  };
  for (const name of ["pulse", "sound"]) {
    const box = el("opt-" + name);
    box.checked = options[name];
    box.addEventListener("change", () => {
      options[name] = box.checked;
      store.set("ic.live." + name, box.checked ? "1" : "0");
    });
  }
  function setFocus(on) {
    root.classList.toggle("focus", on);
    el("focus-toggle").setAttribute("aria-pressed", on ? "true" : "false");
    store.set("ic.live.focus", on ? "1" : "0");
    followTranscript();
  }
  el("focus-toggle").addEventListener("click", () => setFocus(!root.classList.contains("focus")));
  setFocus(store.get("ic.live.focus") === "1");

  // --- Transcript ---------------------------------------------------------
  function atBottom() {
    return transcriptList.scrollHeight - transcriptList.scrollTop - transcriptList.clientHeight < 120;
  }
  function followTranscript() {
    transcriptList.scrollTop = transcriptList.scrollHeight;
  }

  // Consecutive rows of one speaker read as one turn: a row that continues the
  // previous speaker's turn shows no name and no time of its own.
  function markTurn(li) {
    if (!li || li.classList.contains("load-older")) return;
    const prev = li.previousElementSibling;
    li.classList.toggle("cont", Boolean(prev && prev.dataset.speaker && prev.dataset.speaker === li.dataset.speaker));
  }

  function renderTranscript(id, data) {
    // Follow the conversation if the reader was at the bottom before this row
    // changed (measured after, one long answer would be taken for scrolling up).
    const following = atBottom();
    let li = transcriptList.querySelector(`li[data-id="${id}"]`);
    if (data.deleted) {
      if (li) {
        const next = li.nextElementSibling;
        li.remove();
        markTurn(next);
      }
      state.transcripts.delete(id);
      updateEmpty();
      return;
    }
    state.transcripts.set(id, data);
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = id;
      li.innerHTML = '<span class="who"></span><span class="when"></span><span class="text"></span>';
      // Keep chronological order (timestamp, then id) whatever order events come in.
      const key = data.timestamp + "|" + String(id).padStart(12, "0");
      li.dataset.key = key;
      let before = null;
      for (const other of transcriptList.children) {
        if (other.dataset.key > key) { before = other; break; }
      }
      transcriptList.insertBefore(li, before);
    }
    const role = data.speaker_role || roleOf(data.speaker);
    li.classList.remove("role-host", "role-guest", "role-none", "interim");
    li.classList.add("role-" + (role || "none"));
    if (data.is_interim) li.classList.add("interim");
    li.dataset.speaker = data.speaker || "";
    li.querySelector(".when").textContent = clock(data.offset_ms);
    li.querySelector(".who").textContent = role ? roleLabel(role) : speakerLabel(data.speaker);
    li.querySelector(".who").title = speakerLabel(data.speaker);
    li.querySelector(".text").textContent = data.text;
    markTurn(li);
    markTurn(li.nextElementSibling);
    updateEmpty();
    if (following) followTranscript();
  }

  function relabelAll() {
    for (const [id, data] of state.transcripts) {
      renderTranscript(id, { ...data, speaker_role: roleOf(data.speaker) });
    }
    const i = state.interview;
    const roles = i.roles;
    const known = Boolean(roles && i.roles_assigned);
    // Nothing to swap until the roles are known (the server would refuse).
    const swap = el("swap-roles");
    if (swap) swap.hidden = !known;
    const text = el("roles-text");
    text.replaceChildren();
    if (known) {
      // The people by name, the diarised speakers second (an interviewer without a
      // name is their speaker).
      const who = (name, speaker) => name
        ? [`${name} `, span("speaker", `(${speakerLabel(speaker)})`)]
        : [span("speaker", speakerLabel(speaker))];
      text.append(
        `${L.role.host}: `, ...who(L.interviewer_name, roles.host),
        ` · ${L.role.guest}: `, ...who(L.candidate_name, roles.guest),
      );
    } else {
      text.textContent = t("Detecting who is who…");
    }
    const conf = el("roles-confidence");
    const sure = i.roles_confidence == null || i.roles_confidence >= L.roles_sure_at;
    conf.textContent = known ? (sure ? L.sure : L.check) : "";
    conf.className = "conf " + (known ? (sure ? "conf-sure" : "conf-check") : "");
    conf.title = known && i.roles_confidence != null ? i.roles_confidence + "%" : "";
  }

  // --- Insights -------------------------------------------------------------
  const counted = (d) => Boolean(d) && !d.dismissed && !d.superseded_at;
  const flagKey = (type) => type.replace(/-/g, "_");

  function renderFlags() {
    for (const n of document.querySelectorAll("#flag-counts [data-count]")) {
      n.textContent = state.flags[n.dataset.count] || 0;
    }
  }

  function renderInsight(id, data) {
    const before = state.insights.get(id);
    // Flag counts move with each insight as interviews.selectors.interview_flag_counts
    // counts them (dismissed and superseded ones never count).
    // An insight older than the page's first 300 is not in `state.insights`: its
    // change event says whether the counts included it (was_counted).
    const wasCounted = before ? counted(before) : Boolean(data.was_counted);
    const was = (before || data).type;
    if (state.loaded && wasCounted) state.flags[flagKey(was)] = (state.flags[flagKey(was)] || 1) - 1;
    if (state.loaded && counted(data)) state.flags[flagKey(data.type)] = (state.flags[flagKey(data.type)] || 0) + 1;
    let li = insightList.querySelector(`li[data-id="${id}"]`);
    if (data.superseded_at) {
      // Derived under roles that have since changed: it leaves the feed (the
      // chunk is analysed again under the new roles).
      state.insights.delete(id);
      if (li) li.remove();
      if (state.loaded) {
        renderFlags();
        renderFollowup();
        renderAlerts(null);
      }
      updateEmpty();
      return;
    }
    state.insights.set(id, data);
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = id;
      li.innerHTML =
        '<div class="ins-head"><span class="type"></span><span class="sev"></span><span class="topic"></span><span class="quality"></span></div>' +
        '<p class="content"></p><blockquote class="evidence"></blockquote><p class="suggest"></p>' +
        '<div class="ins-actions"></div>';
      // Newest first.
      insightList.insertBefore(li, insightList.firstChild);
    }
    li.className = `insight type-${data.type} sev-${data.severity || "info"}` +
      (data.used ? " used" : "") + (data.dismissed ? " dismissed" : "") +
      (data.topic === "protected_question" ? " protected" : "");
    li.dataset.type = data.type;
    li.querySelector(".type").textContent = typeLabel(data.type);
    li.querySelector(".sev").textContent = severityLabel(data.severity);
    li.querySelector(".topic").textContent = topicLabel(data.topic);
    li.querySelector(".quality").textContent = data.response_quality != null
      ? fill(L.quality_format, data.response_quality) : "";
    li.querySelector(".quality").title = sentimentLabel(data.sentiment);
    li.querySelector(".content").textContent = data.content;
    const ev = li.querySelector(".evidence");
    ev.textContent = data.evidence ? "“" + data.evidence + "”" : "";
    ev.hidden = !data.evidence;
    const sg = li.querySelector(".suggest");
    sg.textContent = data.suggestion || "";
    sg.hidden = !data.suggestion;
    const actions = li.querySelector(".ins-actions");
    actions.replaceChildren();
    if (canChange) {
      if (data.type === "suggestion") {
        actions.append(button(data.used ? t("Used ✓") : t("Mark used"), "use", () =>
          patchInsight(id, { used: !data.used })));
      }
      actions.append(button(data.dismissed ? t("Restore") : t("Dismiss"), "dismiss", () =>
        patchInsight(id, { dismissed: !data.dismissed })));
    }
    li.hidden = Boolean(state.filter) && state.filter !== data.type;
    if (state.loaded) {
      renderFlags();
      renderFollowup();
      renderAlerts(data.severity === "critical" && !before ? id : null);
    }
    updateEmpty();
  }

  function button(label, cls, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small " + cls;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function newestFirst() {
    return [...state.insights.entries()].sort((a, b) =>
      (b[1].timestamp || "").localeCompare(a[1].timestamp || "") || b[0] - a[0]);
  }

  // The question to ask next: the newest suggested follow-up not yet used or
  // dismissed. U and D act on it.
  function currentFollowup() {
    for (const [id, d] of newestFirst()) {
      if (d.suggestion && !d.used && !d.dismissed) return [id, d];
    }
    return null;
  }

  function renderFollowup() {
    const box = el("followup");
    const current = currentFollowup();
    box.textContent = current ? current[1].suggestion : "";
    box.dataset.id = current ? current[0] : "";
    box.title = current ? topicLabel(current[1].topic) : "";
    box.hidden = !current;
    el("followup-empty").hidden = Boolean(current);
    const actions = el("followup-actions");
    if (actions) actions.hidden = !current;
  }

  // --- Critical alerts: pinned until acknowledged (remembered in this browser) --
  const ackKey = "ic.live.ack." + interviewId;
  const acknowledged = new Set(JSON.parse(store.get(ackKey) || "[]"));

  function renderAlerts(arrivedId) {
    const list = el("alert-list");
    list.replaceChildren();
    const open = newestFirst().filter(([id, d]) =>
      d.severity === "critical" && !d.dismissed && !acknowledged.has(id));
    for (const [id, d] of open) {
      const li = document.createElement("li");
      li.dataset.id = id;
      const head = document.createElement("strong");
      head.textContent = [typeLabel(d.type), topicLabel(d.topic)].filter(Boolean).join(" · ");
      li.append(head, " ", span("content", d.content));
      li.append(button(t("Acknowledge"), "ack", () => acknowledge([id])));
      list.append(li);
    }
    el("alerts").hidden = open.length === 0;
    if (arrivedId != null && open.some(([id]) => id === arrivedId)) signal();
  }

  function acknowledge(ids) {
    for (const id of ids) acknowledged.add(Number(id));
    store.set(ackKey, JSON.stringify([...acknowledged]));
    renderAlerts(null);
  }

  let audio = null;
  function signal() {
    if (options.pulse) {
      const box = el("alerts");
      box.classList.remove("pulsing");
      void box.offsetWidth; // restart the animation
      box.classList.add("pulsing");
    }
    if (options.sound) {
      try {
        audio = audio || new (window.AudioContext || window.webkitAudioContext)();
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.15, audio.currentTime);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
        tone.connect(gain).connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.4);
      } catch (e) { /* no audio output: the pulse and the pinned alert remain */ }
    }
  }

  // --- Interview, scores, requirements ----------------------------------------
  function renderInterview(data) {
    state.interview = { ...state.interview, ...data };
    const status = el("status");
    status.className = "badge status-" + state.interview.status;
    status.textContent = L.status[state.interview.status] || state.interview.status;
    root.dataset.status = state.interview.status;
    const scores = state.interview.scores || {};
    const dl = el("scores");
    dl.replaceChildren();
    for (const dim of Object.keys(L.dimension)) {
      if (scores[dim] == null) continue;
      const dt = document.createElement("dt");
      dt.textContent = L.dimension[dim];
      const dd = document.createElement("dd");
      dd.innerHTML = '<span class="bar"><span></span></span><b></b>';
      dd.querySelector(".bar span").style.width = (scores[dim] * 10) + "%";
      dd.querySelector("b").textContent = scores[dim];
      dl.append(dt, dd);
    }
    el("scores-empty").hidden = dl.children.length > 0;
    // Analysis falling behind is said, not hidden behind stale insights.
    const behind = Number(state.interview.analysis_behind) || 0;
    const behindNote = el("analysis-behind");
    behindNote.hidden = behind <= 0 || state.interview.status !== "live";
    behindNote.textContent = t("Analysis is %s answers behind.").replace("%s", behind);
    // Covered by the same normalised keys as interviews.selectors.interview_topics.
    if (state.interview.covered_keys) {
      const covered = new Set(state.interview.covered_keys);
      const list = el("requirements");
      for (const li of list.querySelectorAll("li[data-key]")) {
        covered.has(li.dataset.key) ? li.classList.add("covered") : li.classList.remove("covered");
        covered.delete(li.dataset.key);
      }
      for (const key of covered) {
        const li = document.createElement("li");
        li.dataset.key = key;
        li.className = "covered";
        li.textContent = L.requirement[key] || key;
        list.append(li);
      }
    }
    // The candidate's answer to the notice comes first: until it is recorded the
    // interview cannot start (the server refuses it too, 409).
    const decision = state.interview.notice_decision || "";
    const noticeMissing = root.dataset.noticeRequired === "true" && !decision;
    const finished = state.interview.status === "completed" || state.interview.status === "cancelled";
    const noticeBox = el("notice");
    noticeBox.dataset.decision = decision;
    const badge = el("notice-state");
    badge.className = "badge notice-" + (decision || "none");
    badge.textContent = L.notice[decision || "none"] || decision || "";
    // Once answered, the card gives its room back to the feed (at 1280x720 every
    // line counts); the answer stays in the header with "Record the answer again".
    if (!state.noticeReopened) {
      el("notice-body").hidden = Boolean(decision) || finished;
      noticeBox.hidden = Boolean(decision) || finished;
    }
    const again = el("notice-again");
    if (again) again.hidden = !decision || finished;
    for (const b of document.querySelectorAll("[data-transition]")) {
      const to = b.dataset.transition;
      const s = state.interview.status;
      b.hidden = !((s === "scheduled" && (to === "live" || to === "cancelled")) ||
                   (s === "live" && (to === "completed" || to === "cancelled")));
      if (to === "live") b.disabled = noticeMissing;
    }
    relabelAll();
  }

  function renderScorecard(data) {
    const box = el("scorecard-state");
    if (data.state === "generating") box.textContent = t("Generating the scorecard…");
    else if (data.state === "failed") box.textContent = t("Scorecard generation failed:") + " " + (data.failure_reason || "");
    else if (data.state === "ready") {
      box.replaceChildren();
      const p = document.createElement("p");
      p.className = "recommendation";
      // The person decides first: the AI's verdict only after the interviewer's
      // own decision and reason (staff always).
      // The server leaves the verdict out of the event until then (ai_hidden).
      const aiShown = !data.ai_hidden;
      const rec = data.recommendation || "";
      const cut = rec.indexOf(":");
      const verdict = cut > 0 ? rec.slice(0, cut).trim() : "";
      const reason = cut > 0 ? rec.slice(cut + 1).trim() : rec;
      p.textContent = aiShown
        ? [L.recommendation[verdict] || readable(verdict), reason].filter(Boolean).join(": ") +
          (data.overall_score != null ? ` · ${data.overall_score.toFixed(1)}/10` : "")
        : t("Scorecard ready. Record your decision to see the AI's recommendation.");
      const a = document.createElement("a");
      a.href = `/interviews/${interviewId}/`;
      a.textContent = t("Open the scorecard");
      box.append(p, a);
    }
    box.dataset.state = data.state || "";
  }

  function updateEmpty() {
    el("transcript-empty").hidden = transcriptList.children.length > 0;
    el("insights-empty").hidden = insightList.children.length > 0;
  }

  function apply(msg) {
    switch (msg.type) {
      case "transcript": renderTranscript(msg.id, msg.data); break;
      case "insight": renderInsight(msg.id, msg.data); break;
      case "roles": renderInterview(msg.data); break;
      case "interview": renderInterview(msg.data); break;
      case "scorecard": renderScorecard(msg.data); break;
    }
  }

  // --- Websocket -------------------------------------------------------------
  let socket = null;
  function connect() {
    if (state.stopped) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${proto}://${location.host}/ws/interviews/${interviewId}/?after_seq=${state.lastSeq}`);
    setConn("connecting", state.retry ? t("Reconnecting…") : t("Connecting…"));
    socket.onopen = () => { state.retry = 0; setConn("live", t("Connected")); };
    socket.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.type === "error") { console.warn(msg.message); return; }
      if (msg.type === "pong") return;
      if (msg.snapshot) { renderInterview(msg.data); return; }
      if (msg.seq <= state.lastSeq) return; // seen already
      if (msg.seq !== state.lastSeq + 1) { socket.close(4000, "gap"); return; } // resume from the log
      apply(msg);
      state.lastSeq = msg.seq;
      root.dataset.lastSeq = String(state.lastSeq);
    };
    socket.onclose = (event) => {
      if (event.code === 4401) { stop(t("Your session has ended. Sign in again.")); return; }
      if (event.code === 4403) { stop(t("You may not watch this interview.")); return; }
      if (event.code === 4404) { stop(t("This interview does not exist.")); return; }
      state.retry += 1;
      const delay = Math.min(10000, 500 * 2 ** Math.min(state.retry, 5));
      setConn("offline", t("Offline, reconnecting…"));
      setTimeout(connect, delay);
    };
  }

  function stop(text) {
    state.stopped = true;
    setConn("offline", text);
    showError(text);
  }

  // Keep the connection honest on networks that drop idle sockets silently.
  setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
  }, 25000);

  // --- Actions ---------------------------------------------------------------
  async function send(url, method, body) {
    showError("");
    try {
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const json = await response.json().catch(() => ({}));
      if (!response.ok) showError(json.error || `${response.status}`);
      return json;
    } catch (err) {
      showError(t("Could not reach the server. Try again."));
      return null;
    }
  }

  function patchInsight(id, body) {
    return send(root.dataset.insightUrl.replace("/0/", `/${id}/`), "PATCH", body);
  }

  function actOnFollowup(body) {
    const id = el("followup").dataset.id;
    if (canChange && id) patchInsight(Number(id), body);
  }

  for (const b of document.querySelectorAll("[data-transition]")) {
    b.addEventListener("click", () => {
      const to = b.dataset.transition;
      if (to === "cancelled" && !window.confirm(t("Cancel this interview?"))) return;
      send(root.dataset.transitionUrl, "POST", { to });
    });
  }
  const noticeButtons = document.querySelectorAll("[data-notice-decision]");
  for (const b of noticeButtons) {
    b.addEventListener("click", async () => {
      // One answer per click: the buttons wait for the server's reply.
      if (b.disabled) return;
      for (const other of noticeButtons) other.disabled = true;
      const json = await send(root.dataset.noticeUrl, "POST", {
        decision: b.dataset.noticeDecision,
        channel: el("notice-channel").value,
      });
      for (const other of noticeButtons) other.disabled = false;
      if (json && json.decision) {
        state.noticeReopened = false;
        renderInterview({ notice_decision: json.decision });
      }
    });
  }
  const noticeAgain = el("notice-again");
  if (noticeAgain) noticeAgain.addEventListener("click", () => {
    state.noticeReopened = true;
    el("notice").hidden = false;
    el("notice-body").hidden = false;
  });
  const swap = el("swap-roles");
  if (swap) swap.addEventListener("click", () => send(root.dataset.rolesUrl, "POST", { swap: true }));
  el("insight-filter").addEventListener("change", (e) => {
    state.filter = e.target.value;
    for (const li of insightList.children) li.hidden = Boolean(state.filter) && li.dataset.type !== state.filter;
  });
  if (el("followup-used")) {
    el("followup-used").addEventListener("click", () => actOnFollowup({ used: true }));
    el("followup-dismiss").addEventListener("click", () => actOnFollowup({ dismissed: true }));
  }

  // Keyboard: one key, no modifier, never while typing in a field.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.toLowerCase();
    if (key === "u") actOnFollowup({ used: true });
    else if (key === "d") actOnFollowup({ dismissed: true });
    else if (key === "a") acknowledge([...el("alert-list").children].map((li) => li.dataset.id));
    else if (key === "f") setFocus(!root.classList.contains("focus"));
    else return;
    event.preventDefault();
  });

  // --- First render ------------------------------------------------------------
  for (const row of initial.transcripts) renderTranscript(row.id, row);
  for (const row of initial.insights) renderInsight(row.id, row);
  renderInterview(initial.interview);
  if (initial.scorecard) renderScorecard(initial.scorecard);
  state.loaded = true;
  renderFlags();
  renderFollowup();
  renderAlerts(null);
  updateEmpty();
  followTranscript();
  connect();
})();
