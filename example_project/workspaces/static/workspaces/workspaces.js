"use strict";

// "My workspaces": cards kept current from the owner's event stream, never a page reload.
// Like Coder's watchers, an event is a cue to refetch the state (debounced), not the state.
(function () {
  const config = document.getElementById("config").dataset;
  const cards = document.getElementById("workspaces");
  const feed = document.getElementById("feed");
  const template = document.getElementById("card");
  const names = new Map();  // workspace id -> name, for the feed
  const FEED_LENGTH = 100;
  let refreshTimer = null;

  function describeBuild(build) {
    if (!build) return "none yet";
    const cancel = build.cancel_requested && build.job_status !== "canceled" ? " (cancel requested)" : "";
    return `#${build.number} ${build.transition}: ${build.job_status}${cancel}`;
  }

  function describeAgent(agent) {
    if (!agent) return "none";
    const logs = agent.first_logs ? ", logs" : "";
    return `${agent.name}: ${agent.lifecycle_state}, ${agent.connection}, app ${agent.app_health}${logs}`;
  }

  function card(workspace) {
    let element = cards.querySelector(`[data-workspace-id="${workspace.id}"]`);
    if (!element) {
      element = template.content.firstElementChild.cloneNode(true);
      element.dataset.workspaceId = workspace.id;
      for (const button of element.querySelectorAll("button[data-action]")) {
        button.addEventListener("click", () => act(workspace.id, button.dataset.action));
      }
      cards.append(element);
    }
    return element;
  }

  function render(workspace) {
    names.set(workspace.id, workspace.name);
    const element = card(workspace);
    element.dataset.workspaceName = workspace.name;
    element.querySelector(".name").textContent = workspace.name;
    const status = element.querySelector(".status");
    status.textContent = workspace.status;
    status.dataset.status = workspace.status;
    element.querySelector(".build").textContent = describeBuild(workspace.build);
    element.querySelector(".agent").textContent = describeAgent(workspace.agent);
    for (const button of element.querySelectorAll("button[data-action]")) {
      button.disabled = !workspace.actions[button.dataset.action];
    }
  }

  function renderAll(state) {
    const seen = new Set(state.workspaces.map((workspace) => workspace.id));
    for (const element of cards.querySelectorAll("[data-workspace-id]")) {
      if (!seen.has(element.dataset.workspaceId)) element.remove();
    }
    state.workspaces.forEach(render);
  }

  async function refresh() {
    refreshTimer = null;
    let response;
    try {
      response = await fetch(config.stateUrl, { headers: { Accept: "application/json" } });
    } catch (error) {
      return;  // the server is unreachable: the stream reconnects and resyncs
    }
    if (!response.ok) {
      notice(`Could not load your workspaces (HTTP ${response.status}); reload to log in again.`);
      return;
    }
    const state = await response.json();
    renderAll(state);
    stream.advance(state.last_event_id);
  }

  function refreshSoon() {
    if (refreshTimer === null) refreshTimer = setTimeout(refresh, 150);
  }

  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf },
        body: JSON.stringify(body || {}),
      });
      const data = await response.json().catch(() => ({}));
      return { response, data };
    } catch (error) {
      return { response: { ok: false, status: "unreachable" }, data: {} };
    }
  }

  async function act(id, action) {
    const { response, data } = await post(`/workspaces/${id}/${action}/`);
    if (response.ok) {
      notice("");
      render(data);
    } else {
      notice(data.detail || `${action} failed (HTTP ${response.status})`);
    }
  }

  function addToFeed(event, id) {
    const item = document.createElement("li");
    item.dataset.kind = event.kind;
    if (id !== null) item.dataset.eventId = id;
    const name = names.get(event.workspace_id) || event.workspace_id;
    const agent = event.agent_id ? ` agent ${event.agent_id.slice(0, 8)}` : "";
    const number = id === null ? "" : ` #${id}`;
    item.textContent = `${timeOf(new Date())} ${event.kind} ${name}${agent}${number}`;
    feed.prepend(item);
    while (feed.children.length > FEED_LENGTH) feed.lastElementChild.remove();
  }

  function onEvent(event, id) {
    addToFeed(event, id);
    if (event.kind === "stats_update") {
      const element = cards.querySelector(`[data-workspace-id="${event.workspace_id}"]`);
      if (element) element.querySelector(".stats").textContent = timeOf(new Date());
    } else {
      refreshSoon();
    }
  }

  function onResync() {
    addToFeed({ kind: "dropped messages: resync", workspace_id: "" }, null);
    refresh();
  }

  document.getElementById("new-workspace").addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const input = submitted.target.elements.name;
    const { response, data } = await post(config.createUrl, { name: input.value });
    if (response.ok) {
      input.value = "";
      notice("");
      render(data);
    } else {
      notice(data.detail || `create failed (HTTP ${response.status})`);
    }
  });

  const initial = JSON.parse(document.getElementById("initial-state").textContent);
  renderAll(initial);
  const stream = new LiveStream(config.socketPath, {
    lastEventId: initial.last_event_id,
    onEvent,
    onResync,
  });
  stream.start();
})();
