// The live interview page: renders the first state, then applies websocket events.
// Every row is keyed by id, so an event seen twice changes nothing; events carry a
// gap-free seq, and on a gap or a drop the page reconnects with ?after_seq=<last>.
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const t = (s) => (window.gettext ? window.gettext(s) : s);
  const initial = JSON.parse(document.getElementById("live-state").textContent);
  const interviewId = root.dataset.interviewId;
  const canChange = root.dataset.canChange === "true";
  const csrf = root.dataset.csrf;

  const state = {
    lastSeq: Number(root.dataset.lastSeq) || 0,
    interview: initial.interview,
    transcripts: new Map(),
    insights: new Map(),
    filter: "",
    retry: 0,
    stopped: false,
  };

  const el = (id) => document.getElementById(id);
  const transcriptList = el("transcript");
  const insightList = el("insights");
  const conn = el("conn");
  // Status and severity arrive as codes; their labels come translated in the page.
  const labels = {};
  for (const span of el("live-labels").content.querySelectorAll("[data-label]")) {
    labels[span.dataset.label] = span.textContent;
  }
  const label = (key, fallback) => labels[key] || fallback;

  function roleLabel(role) {
    if (role === "host") return t("Interviewer");
    if (role === "guest") return t("Candidate");
    return t("Unassigned");
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

  // --- Transcript ---------------------------------------------------------
  function renderTranscript(id, data) {
    // Follow the conversation if the reader was at the bottom before this row
    // changed (measured after, one long answer would be taken for scrolling up).
    const following = transcriptList.scrollHeight - transcriptList.scrollTop - transcriptList.clientHeight < 120;
    let li = transcriptList.querySelector(`li[data-id="${id}"]`);
    if (data.deleted) {
      if (li) li.remove();
      state.transcripts.delete(id);
      updateEmpty();
      return;
    }
    state.transcripts.set(id, data);
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = id;
      li.innerHTML = '<span class="when"></span><span class="who"></span><span class="text"></span>';
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
    li.className = "role-" + (role || "none") + (data.is_interim ? " interim" : "");
    li.dataset.speaker = data.speaker || "";
    li.querySelector(".when").textContent = clock(data.offset_ms);
    li.querySelector(".who").textContent = roleLabel(role);
    li.querySelector(".who").title = data.speaker || "";
    li.querySelector(".text").textContent = data.text;
    updateEmpty();
    if (following) transcriptList.scrollTop = transcriptList.scrollHeight;
  }

  function relabelAll() {
    for (const [id, data] of state.transcripts) {
      renderTranscript(id, { ...data, speaker_role: roleOf(data.speaker) });
    }
    const roles = state.interview.roles;
    // Nothing to swap until the roles are known (the server would refuse).
    const swap = el("swap-roles");
    if (swap) swap.hidden = !(roles && state.interview.roles_assigned);
    el("roles-text").textContent = roles && state.interview.roles_assigned
      ? `${t("Interviewer")}: ${roles.host} · ${t("Candidate")}: ${roles.guest}` +
        (state.interview.roles_confidence != null ? ` (${state.interview.roles_confidence}%)` : "")
      : t("Detecting who is who…");
  }

  // --- Insights -------------------------------------------------------------
  const typeLabels = {
    "red-flag": () => t("Red flag"),
    "green-flag": () => t("Green flag"),
    suggestion: () => t("Suggestion"),
    note: () => t("Note"),
    contradiction: () => t("Contradiction"),
  };

  function renderInsight(id, data) {
    let li = insightList.querySelector(`li[data-id="${id}"]`);
    if (data.superseded_at) {
      // Derived under roles that have since changed: it leaves the feed (the
      // chunk is analysed again under the new roles).
      state.insights.delete(id);
      if (li) li.remove();
      el("insights-empty").hidden = insightList.children.length > 0;
      return;
    }
    state.insights.set(id, data);
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = id;
      li.innerHTML =
        '<div class="ins-head"><span class="type"></span><span class="sev"></span><span class="topic"></span></div>' +
        '<p class="content"></p><blockquote class="evidence"></blockquote><p class="suggest"></p>' +
        '<div class="ins-actions"></div>';
      // Newest first.
      insightList.insertBefore(li, insightList.firstChild);
    }
    li.className = `insight type-${data.type} sev-${data.severity || "info"}` +
      (data.used ? " used" : "") + (data.dismissed ? " dismissed" : "") +
      (data.topic === "protected_question" ? " protected" : "");
    li.dataset.type = data.type;
    li.querySelector(".type").textContent = (typeLabels[data.type] || (() => data.type))();
    li.querySelector(".sev").textContent = data.severity ? label("severity." + data.severity, data.severity) : "";
    li.querySelector(".topic").textContent = data.topic === "protected_question"
      ? t("Protected question") : (data.topic || "").replace(/_/g, " ");
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

  // --- Interview, scores, requirements ----------------------------------------
  const dimensionLabels = {
    attitude: () => t("Attitude"), communication: () => t("Communication"),
    technical: () => t("Technical"), strategic: () => t("Strategic"),
    leadership: () => t("Leadership"), english: () => t("English"),
  };

  function renderInterview(data) {
    state.interview = { ...state.interview, ...data };
    const status = el("status");
    status.className = "badge status-" + state.interview.status;
    status.textContent = label("status." + state.interview.status, state.interview.status);
    root.dataset.status = state.interview.status;
    const scores = state.interview.scores || {};
    const dl = el("scores");
    dl.replaceChildren();
    for (const dim of Object.keys(dimensionLabels)) {
      if (scores[dim] == null) continue;
      const dt = document.createElement("dt");
      dt.textContent = dimensionLabels[dim]();
      const dd = document.createElement("dd");
      dd.innerHTML = '<span class="bar"><span></span></span><b></b>';
      dd.querySelector(".bar span").style.width = (scores[dim] * 10) + "%";
      dd.querySelector("b").textContent = scores[dim];
      dl.append(dt, dd);
    }
    el("scores-empty").hidden = dl.children.length > 0;
    const covered = (state.interview.covered_requirements || []).map((s) => s.toLowerCase());
    for (const li of el("requirements").querySelectorAll("li[data-skill]")) {
      li.classList.toggle("covered", covered.includes(li.dataset.skill.toLowerCase()));
    }
    for (const b of document.querySelectorAll("[data-transition]")) {
      const to = b.dataset.transition;
      const s = state.interview.status;
      b.hidden = !((s === "scheduled" && (to === "live" || to === "cancelled")) ||
                   (s === "live" && (to === "completed" || to === "cancelled")));
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
      p.textContent = (data.recommendation || "") + (data.overall_score != null ? ` · ${data.overall_score.toFixed(1)}/10` : "");
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

  for (const b of document.querySelectorAll("[data-transition]")) {
    b.addEventListener("click", () => {
      const to = b.dataset.transition;
      if (to === "cancelled" && !window.confirm(t("Cancel this interview?"))) return;
      send(root.dataset.transitionUrl, "POST", { to });
    });
  }
  const swap = el("swap-roles");
  if (swap) swap.addEventListener("click", () => send(root.dataset.rolesUrl, "POST", { swap: true }));
  el("insight-filter").addEventListener("change", (e) => {
    state.filter = e.target.value;
    for (const li of insightList.children) li.hidden = Boolean(state.filter) && li.dataset.type !== state.filter;
  });

  // --- First render ------------------------------------------------------------
  for (const row of initial.transcripts) renderTranscript(row.id, row);
  for (const row of initial.insights) renderInsight(row.id, row);
  renderInterview(initial.interview);
  if (initial.scorecard) renderScorecard(initial.scorecard);
  updateEmpty();
  connect();
})();
