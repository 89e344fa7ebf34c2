"use strict";

// The operator page: every build update, live from workspace_updates:all. After lost
// events it catches up from the event log over HTTP (GET /api/workspace-events/events/).
(function () {
  const config = document.getElementById("config").dataset;
  const rows = document.getElementById("builds");
  const ROWS = 200;
  const CATCH_UP_PAGES = 10;

  function addRow(update, id, createdAt) {
    if (id !== null && rows.querySelector(`[data-event-id="${id}"]`)) return;
    const row = document.createElement("tr");
    if (id !== null) row.dataset.eventId = id;
    row.dataset.workspaceName = update.workspace_name;
    row.dataset.jobStatus = update.job_status;
    const cells = [
      id === null ? "-" : `#${id}`,
      timeOf(createdAt ? new Date(createdAt) : new Date()),
      update.workspace_name || update.workspace_id,
      `#${update.build_number}`,
      update.transition,
      update.job_status,
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    row.lastElementChild.className = `job-${update.job_status}`;
    rows.prepend(row);
    while (rows.children.length > ROWS) rows.lastElementChild.remove();
  }

  async function catchUp() {
    let url = `${config.historyUrl}?channel=workspace_updates:all&after=${stream.lastEventId || 0}&limit=100`;
    for (let page = 0; url && page < CATCH_UP_PAGES; page++) {
      let response;
      try {
        response = await fetch(url, { headers: { Accept: "application/json" } });
      } catch (error) {
        return;  // the server is unreachable: the stream reconnects and resyncs
      }
      if (!response.ok) {
        notice(`Could not catch up with the event log (HTTP ${response.status}).`);
        return;
      }
      const body = await response.json();
      for (const entry of body.results) {
        addRow(entry.data, entry.id, entry.created_at);
        stream.advance(entry.id);
      }
      url = body.next;
    }
    notice(url ? "Many builds were missed; showing the latest caught up." : "");
  }

  const initial = JSON.parse(document.getElementById("initial-builds").textContent);
  for (const entry of initial.updates) addRow(entry.data, entry.id, entry.created_at);
  const stream = new LiveStream(config.socketPath, {
    lastEventId: initial.last_event_id,
    onEvent: (update, id) => addRow(update, id, null),
    onResync: catchUp,
  });
  stream.start();
})();
