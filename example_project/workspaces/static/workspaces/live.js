"use strict";

// A one-way stream of workspace events over a WebSocket that survives drops: it reconnects
// with growing delays, resumes after the last event id it saw (the server replays what was
// missed from its event log), and asks the page to resync when the server says events were
// lost. The indicator in the header shows which of these is happening.
class LiveStream {
  static FIRST_DELAY = 500;
  static MAX_DELAY = 10000;

  constructor(path, { lastEventId = null, onEvent, onResync }) {
    this.path = path;
    this.lastEventId = lastEventId;
    this.onEvent = onEvent;
    this.onResync = onResync;
    this.delay = LiveStream.FIRST_DELAY;
    this.indicator = document.getElementById("connection");
    this.socket = null;
  }

  start() {
    this.show("connecting", "connecting…");
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = this.lastEventId === null ? "" : `?last_event_id=${this.lastEventId}`;
    return `${scheme}//${location.host}${this.path}${query}`;
  }

  connect() {
    // The session cookie authenticates the handshake; the browser sends our Origin.
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = () => {
      if (this.socket === socket) this.reconnectLater();
    };
  }

  receive(frame) {
    if (frame.type === "ping") {
      // The first ping means the subscription is live: every later event will arrive.
      if (this.indicator.dataset.state !== "live") this.show("live", "live");
      this.delay = LiveStream.FIRST_DELAY;
    } else if (frame.type === "data") {
      this.advance(frame.id);
      this.onEvent(frame.data, frame.id);
    } else if (frame.type === "error" && frame.data.message === "dropped messages") {
      // Continuity was lost (we read too slowly, or too much happened while away):
      // refetch the state instead of trusting the events we have.
      this.onResync();
    } else if (frame.type === "error") {
      this.show("error", `stream error: ${frame.data.message}`);
    }
  }

  // Unlogged kinds (stats) have no id; the cursor only moves forward.
  advance(id) {
    if (id !== null && id !== undefined && (this.lastEventId === null || id > this.lastEventId)) {
      this.lastEventId = id;
    }
  }

  reconnectLater() {
    const wait = this.delay * (0.75 + Math.random() / 2);  // jitter: clients don't stampede
    this.delay = Math.min(this.delay * 2, LiveStream.MAX_DELAY);
    this.show("reconnecting", `reconnecting… (retry in ${Math.ceil(wait / 1000)} s)`);
    setTimeout(() => this.connect(), wait);
  }

  show(state, text) {
    this.indicator.dataset.state = state;
    this.indicator.textContent = text;
  }
}

function notice(text) {
  const element = document.getElementById("notice");
  element.textContent = text;
  element.hidden = !text;
}

function timeOf(date) {
  return date.toLocaleTimeString([], { hour12: false });
}
